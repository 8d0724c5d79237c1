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
#define NETFLOW_CURL_LOOKUP(name) get(api.name, "curl_" #name);
    NETFLOW_CURL_CALLS(NETFLOW_CURL_LOOKUP)
#undef NETFLOW_CURL_LOOKUP
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
