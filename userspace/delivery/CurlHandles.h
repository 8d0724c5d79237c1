// libcurl, loaded when a run first needs it (-u, --about), and RAII for its
// handles. Linked, libcurl and the ~20 libraries it brings (TLS, Kerberos,
// LDAP, SSH, HTTP/2, IDN, ...) cost every process ~9 ms to map and
// relocate on the paravirtualised machines this runs on, twice with the
// allocator's re-exec (common/MallocTuning.h), in runs that never send a
// request (docs/decisions.md, "libcurl loaded when needed").
#pragma once

#include <curl/curl.h>

#include <memory>

namespace netflow {

// The libcurl calls netflow makes, from libcurl.so.4.
struct CurlApi {
    decltype(&::curl_global_init) global_init;
    decltype(&::curl_version) version;
    decltype(&::curl_free) free;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_multi_init) multi_init;
    decltype(&::curl_multi_cleanup) multi_cleanup;
    decltype(&::curl_multi_setopt) multi_setopt;
    decltype(&::curl_multi_add_handle) multi_add_handle;
    decltype(&::curl_multi_remove_handle) multi_remove_handle;
    decltype(&::curl_multi_perform) multi_perform;
    decltype(&::curl_multi_poll) multi_poll;
    decltype(&::curl_multi_wakeup) multi_wakeup;
    decltype(&::curl_multi_info_read) multi_info_read;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
    decltype(&::curl_url) url;
    decltype(&::curl_url_cleanup) url_cleanup;
    decltype(&::curl_url_set) url_set;
    decltype(&::curl_url_get) url_get;
};

// libcurl, loaded (dlopen) and initialised (curl_global_init) once per
// process, on the first call; the library stays loaded until the process
// ends, as a linked one would (a thread of a sender may still be in it
// while the process exits). Throws std::runtime_error naming the library
// when it cannot be loaded or initialised. Safe from several threads.
const CurlApi &curl();

struct CurlEasyDeleter {
    void operator()(CURL *h) const { curl().easy_cleanup(h); }
};
struct CurlMultiDeleter {
    void operator()(CURLM *h) const { curl().multi_cleanup(h); }
};
struct CurlSlistDeleter {
    void operator()(curl_slist *l) const { curl().slist_free_all(l); }
};
struct CurlUrlDeleter {
    void operator()(CURLU *u) const { curl().url_cleanup(u); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

}  // namespace netflow
