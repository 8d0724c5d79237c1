// libcurl, loaded when a run first needs it (-u, --about), and RAII for its
// handles. Linked, libcurl and the ~20 libraries it brings (TLS, Kerberos,
// LDAP, SSH, HTTP/2, IDN, ...) cost every process ~9 ms to map and
// relocate on the paravirtualised machines this runs on, in runs that
// never send a request (docs/decisions.md, "libcurl loaded when needed").
#pragma once

#include <curl/curl.h>

#include <memory>

namespace netflow {

// The libcurl calls netflow makes, each curl_NAME as the member NAME of
// CurlApi: one list, so the table and what loads it cannot differ.
#define NETFLOW_CURL_CALLS(X) \
    X(global_init)            \
    X(version)                \
    X(free)                   \
    X(easy_strerror)          \
    X(easy_init)              \
    X(easy_cleanup)           \
    X(easy_setopt)            \
    X(easy_getinfo)           \
    X(multi_init)             \
    X(multi_cleanup)          \
    X(multi_setopt)           \
    X(multi_add_handle)       \
    X(multi_remove_handle)    \
    X(multi_perform)          \
    X(multi_poll)             \
    X(multi_wakeup)           \
    X(multi_info_read)        \
    X(slist_append)           \
    X(slist_free_all)         \
    X(url)                    \
    X(url_cleanup)            \
    X(url_set)                \
    X(url_get)

struct CurlApi {
#define NETFLOW_CURL_MEMBER(name) decltype(&::curl_##name) name;
    NETFLOW_CURL_CALLS(NETFLOW_CURL_MEMBER)
#undef NETFLOW_CURL_MEMBER
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
