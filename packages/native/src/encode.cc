#include "encode.h"

#include <algorithm>
#include <cstring>

#include "errors.h"
#include "napi_util.h"
#include "xxh64.h"

namespace mmcdb {

namespace {

// Why the encoder stopped (state[3]); the JS writer decides what comes next.
enum Stop : int {
  kNotARecord = 0,  // src[consumed] does not start a complete, well-formed record (or src ended)
  kDstFull = 1,     // the next record does not fit in what is left of dst
  kCapacity = 2,    // positions/hashes are full
  kTooLarge = 3,    // the next record does not fit even in an empty dst
};

constexpr uint64_t kRecordHeader = 12;      // §Records: key_length u32 + value_length u64
constexpr uint64_t kMaxKey = 0x7fffffff;    // §Records: bit 31 of key_length is SUPERSEDED
constexpr uint64_t kMaxValue = 1ULL << 32;  // the cdbmake parser's limit (largest Buffer)
constexpr int kMaxDigits = 20;

// The bytes of a typed array of type `want` (napi_util.h GetTypedArray, which also
// serves arrays over a SharedArrayBuffer).
bool TypedBytes(napi_env env, napi_value v, napi_typedarray_type want, TypedArrayInfo* out) {
  return GetTypedArray(env, v, out) && out->type == want;
}

// Reads `digits end` from p; false when malformed (the JS parser then reports it).
bool Length(const uint8_t* src, size_t n, size_t* p, uint8_t end, uint64_t* value) {
  uint64_t v = 0;
  int digits = 0;
  while (*p < n) {
    uint8_t c = src[(*p)++];
    if (c == end) {
      *value = v;
      return digits > 0;
    }
    if (c < '0' || c > '9' || ++digits > kMaxDigits) return false;
    // Saturate instead of wrapping at 2^64: anything this large is over every limit (and
    // the TS scanner, counting in doubles, rejects it too).
    if (v < (1ULL << 40)) v = v * 10 + (c - '0');
  }
  return false;
}

size_t CountNewlines(const uint8_t* p, size_t n) {
  size_t count = 0;
  const uint8_t* end = p + n;
  while (p < end) {
    const void* q = std::memchr(p, '\n', end - p);
    if (q == nullptr) break;
    count++;
    p = static_cast<const uint8_t*>(q) + 1;
  }
  return count;
}

inline void StoreU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void StoreU64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

// Parses complete `+klen,dlen:key->value\n` records from the start of src and writes each
// as an mmcdb record into dst (header, key, zero padding so the value starts at a multiple
// of `align` counted from file offset filePos + the bytes written so far, value); for
// record i, positions[i] = its file offset and hashes[2i], hashes[2i + 1] = xxh64(key,
// seed) as low and high words. It never reports errors: it stops before the first byte
// that is not a complete well-formed record (an end of input, the final empty line, a
// malformed record), so the JS parser handles every case it does not and words its
// errors. state = [src bytes consumed, dst bytes written, newlines consumed, Stop].
napi_value EncodeCdbmake(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  TypedArrayInfo src, dst, positions_b, hashes_b, state_b;
  double file_pos = 0, align_d = 0;
  uint64_t seed = 0;
  bool lossless = false;
  if (argc < 8 || !TypedBytes(env, argv[0], napi_uint8_array, &src) || !TypedBytes(env, argv[1], napi_uint8_array, &dst) ||
      napi_get_value_double(env, argv[2], &file_pos) != napi_ok ||
      napi_get_value_double(env, argv[3], &align_d) != napi_ok ||
      napi_get_value_bigint_uint64(env, argv[4], &seed, &lossless) != napi_ok ||
      !TypedBytes(env, argv[5], napi_float64_array, &positions_b) ||
      !TypedBytes(env, argv[6], napi_uint32_array, &hashes_b) || !TypedBytes(env, argv[7], napi_float64_array, &state_b) ||
      state_b.byte_length < 4 * sizeof(double)) {
    return ThrowType(env, "encodeCdbmake(src, dst, filePos, align, seed, positions, hashes, state)");
  }
  const uint64_t align = align_d >= 1 && align_d <= 65536 ? static_cast<uint64_t>(align_d) : 0;
  if (!(file_pos >= 0) || align == 0 || (align & (align - 1)) != 0 || static_cast<double>(align) != align_d) {
    return ThrowRange(env, "encodeCdbmake: filePos must be \xe2\x89\xa5 0 and align a power of two \xe2\x89\xa4 65536");
  }
  double* positions = reinterpret_cast<double*>(positions_b.data);
  uint32_t* hashes = reinterpret_cast<uint32_t*>(hashes_b.data);
  double* state = reinterpret_cast<double*>(state_b.data);
  const size_t capacity = std::min(positions_b.byte_length / sizeof(double), hashes_b.byte_length / (2 * sizeof(uint32_t)));
  const uint64_t base = static_cast<uint64_t>(file_pos);

  size_t consumed = 0, written = 0, lines = 0, count = 0;
  int stop = kNotARecord;
  for (;;) {
    if (count == capacity) {
      stop = kCapacity;
      break;
    }
    size_t p = consumed;
    uint64_t klen = 0, dlen = 0;
    if (p >= src.byte_length || src.data[p++] != '+') break;
    if (!Length(src.data, src.byte_length, &p, ',', &klen) || klen > kMaxKey) break;
    if (!Length(src.data, src.byte_length, &p, ':', &dlen) || dlen >= kMaxValue) break;
    // key, "->", value, "\n"
    if (src.byte_length - p < klen + 2 || src.byte_length - p - klen - 2 < dlen + 1) break;
    const uint8_t* key = src.data + p;
    const uint8_t* arrow = key + klen;
    const uint8_t* value = arrow + 2;
    if (arrow[0] != '-' || arrow[1] != '>' || value[dlen] != '\n') break;
    const uint64_t at = base + written;
    const uint64_t key_end = at + kRecordHeader + klen;
    const uint64_t pad = ((key_end + align - 1) & ~(align - 1)) - key_end;
    const uint64_t size = kRecordHeader + klen + pad + dlen;
    if (size > dst.byte_length - written) {
      stop = written == 0 ? kTooLarge : kDstFull;
      break;
    }
    uint8_t* out = dst.data + written;
    StoreU32(out, static_cast<uint32_t>(klen));
    StoreU64(out + 4, dlen);
    std::memcpy(out + kRecordHeader, key, klen);
    std::memset(out + kRecordHeader + klen, 0, pad);
    std::memcpy(out + kRecordHeader + klen + pad, value, dlen);
    const uint64_t h = Xxh64(key, klen, seed);
    positions[count] = static_cast<double>(at);
    hashes[2 * count] = static_cast<uint32_t>(h);
    hashes[2 * count + 1] = static_cast<uint32_t>(h >> 32);
    lines += 1 + CountNewlines(key, klen) + CountNewlines(value, dlen);
    written += size;
    consumed = (value - src.data) + dlen + 1;
    count++;
  }
  state[0] = static_cast<double>(consumed);
  state[1] = static_cast<double>(written);
  state[2] = static_cast<double>(lines);
  state[3] = stop;
  return Number(env, static_cast<double>(count));
}

}  // namespace mmcdb
