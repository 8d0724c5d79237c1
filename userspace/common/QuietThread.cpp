#include "common/QuietThread.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace netflow {

void shedThreadCapabilities() {
    // The bounding set while CAP_SETPCAP is still held (an unprivileged
    // process has none to drop: the calls fail harmlessly), up to the
    // first capability this kernel does not know.
    for (unsigned long cap = 0; ::prctl(PR_CAPBSET_READ, cap, 0L, 0L, 0L) >= 0; cap++)
        ::prctl(PR_CAPBSET_DROP, cap, 0L, 0L, 0L);
    // capset(2) on the calling thread only (libcap's cap_set_proc would do
    // the same without libpsx). Lowering is always allowed.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};
    ::syscall(SYS_capset, &header, none);
    ::prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
}

}  // namespace netflow
