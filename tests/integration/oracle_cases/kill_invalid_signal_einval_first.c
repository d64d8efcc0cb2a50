// What the model said before it checked the signal number per target:
// kill() of a pid nobody has, with signal 65, fails with EINVAL. The running
// kernel says ESRCH (check_kill_permission() runs per target), so with a
// model that still says EINVAL the oracle must report a mismatch.
//! expect v6.11: assertion
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include "taskcheck.h"

int main(void)
{
	assert(kill(4242, 65) == -1 && errno == EINVAL);
	return 0;
}
