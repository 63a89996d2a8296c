// See mapping_list.h. The list is read under the registry's lock (Mapping::ForEach), then
// turned into JS objects outside it: no JS runs while the lock is held.
#include "mapping_list.h"

#include <string>
#include <vector>

#include "mapping.h"
#include "napi_util.h"
#include "paging.h"

namespace mmcdb {
namespace {

struct MappingInfo {
  std::string path;
  double file_bytes = 0, mapped_bytes = 0, resident_bytes = 0;
  int readers = 0, views = 0;
};

}  // namespace

napi_value Mappings(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, nullptr, nullptr, nullptr) != napi_ok) return nullptr;
  std::vector<MappingInfo> list;
  Mapping::ForEach([&](Mapping* m) {
    MappingInfo i;
    i.path = m->path();
    i.file_bytes = static_cast<double>(m->size());
    // Address space: the read-only mapping of the whole file plus the views mapping of
    // its data section (the same page-cache pages: RSS counts each page once per mapping
    // that touched it).
    i.mapped_bytes = static_cast<double>(m->size() + m->views_length());
    std::vector<unsigned char> pages;
    // mincore: the file's pages in the page cache (shared with other processes that read
    // the file); a failure (ENOMEM on a race) reports 0 rather than failing the list.
    if (ResidentMapping(m, &pages) == 0) i.resident_bytes = static_cast<double>(ResidentBytes(pages, 0, m->size()));
    i.readers = m->readers();
    i.views = m->buffers();
    list.push_back(std::move(i));
  });
  napi_value array;
  if (napi_create_array_with_length(env, list.size(), &array) != napi_ok) return nullptr;
  for (size_t k = 0; k < list.size(); k++) {
    const MappingInfo& i = list[k];
    napi_value o;
    if (napi_create_object(env, &o) != napi_ok || !SetProperty(env, o, "path", String(env, i.path)) ||
        !SetNumber(env, o, "fileBytes", i.file_bytes) || !SetNumber(env, o, "mappedBytes", i.mapped_bytes) ||
        !SetNumber(env, o, "residentBytes", i.resident_bytes) || !SetNumber(env, o, "readers", i.readers) ||
        !SetNumber(env, o, "views", i.views) || napi_set_element(env, array, static_cast<uint32_t>(k), o) != napi_ok) {
      return nullptr;
    }
  }
  return array;
}

}  // namespace mmcdb
