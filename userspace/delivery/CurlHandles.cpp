#include "delivery/CurlHandles.h"

#include <dlfcn.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace netflow {
namespace {

// The soname netflow is built against (libcurl4: libcurl with OpenSSL).
constexpr const char *kLibcurl = "libcurl.so.4";

struct Dlclose {
    void operator()(void *lib) const { ::dlclose(lib); }
};

CurlApi load() {
    // RTLD_LOCAL: its symbols serve only the lookups below. Closed again
    // if anything below fails; else kept (released) for the process.
    std::unique_ptr<void, Dlclose> lib(::dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL));
    if (!lib) {
        const char *why = ::dlerror();
        throw std::runtime_error(std::string("cannot load ") + kLibcurl +
                                 " (libcurl4): " + (why ? why : "unknown error"));
    }
    auto get = [&lib](auto &fn, const char *name) {
        void *sym = ::dlsym(lib.get(), name);
        if (!sym)
            throw std::runtime_error(std::string(kLibcurl) + " has no " + name);
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(sym);
    };
    CurlApi api{};
    get(api.global_init, "curl_global_init");
    get(api.version, "curl_version");
    get(api.free, "curl_free");
    get(api.easy_strerror, "curl_easy_strerror");
    get(api.easy_init, "curl_easy_init");
    get(api.easy_cleanup, "curl_easy_cleanup");
    get(api.easy_setopt, "curl_easy_setopt");
    get(api.easy_getinfo, "curl_easy_getinfo");
    get(api.multi_init, "curl_multi_init");
    get(api.multi_cleanup, "curl_multi_cleanup");
    get(api.multi_setopt, "curl_multi_setopt");
    get(api.multi_add_handle, "curl_multi_add_handle");
    get(api.multi_remove_handle, "curl_multi_remove_handle");
    get(api.multi_perform, "curl_multi_perform");
    get(api.multi_poll, "curl_multi_poll");
    get(api.multi_wakeup, "curl_multi_wakeup");
    get(api.multi_info_read, "curl_multi_info_read");
    get(api.slist_append, "curl_slist_append");
    get(api.slist_free_all, "curl_slist_free_all");
    get(api.url, "curl_url");
    get(api.url_cleanup, "curl_url_cleanup");
    get(api.url_set, "curl_url_set");
    get(api.url_get, "curl_url_get");
    // Once, before any thread uses libcurl (this runs under the static's
    // initialisation lock).
    if (const CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
        throw std::runtime_error(std::string("cannot initialize libcurl: ") +
                                 api.easy_strerror(rc));
    lib.release();
    return api;
}

}  // namespace

const CurlApi &curl() {
    // A failed load throws out of the initialisation: the next call tries
    // again (and fails the same way).
    static const CurlApi api = load();
    return api;
}

}  // namespace netflow
