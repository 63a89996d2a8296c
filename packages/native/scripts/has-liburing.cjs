#!/usr/bin/env node
// Prints the path of liburing.a when the addon can have its io_uring path (asyncIo
// 'uring'): Linux, <liburing.h> and the static library (Debian/Ubuntu: liburing-dev),
// which binding.gyp links in so the addon needs no liburing.so at run time. Prints an
// empty line otherwise — the addon is then built without it. MMCDB_NO_URING=1 forces that.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function find() {
  if (process.platform !== 'linux' || process.env.MMCDB_NO_URING === '1') return '';
  const includes = ['/usr/include', '/usr/local/include'];
  if (!includes.some((dir) => fs.existsSync(path.join(dir, 'liburing.h')))) return '';
  const arch = {
    x64: 'x86_64',
    arm64: 'aarch64',
    arm: 'arm',
    ia32: 'i386',
    riscv64: 'riscv64',
    ppc64: 'powerpc64le',
    s390x: 's390x',
  }[process.arch];
  const libs = [`/usr/lib/${arch}-linux-gnu`, '/usr/lib64', '/usr/lib', '/usr/local/lib', '/usr/local/lib64'];
  for (const dir of libs) {
    const lib = path.join(dir, 'liburing.a');
    if (fs.existsSync(lib)) return lib;
  }
  return '';
}

process.stdout.write(`${find()}\n`);
