// kill(2) with a signal number the kernel does not have: the number is
// checked per target, in check_kill_permission() (kernel/signal.c), so with
// no such process the answer is ESRCH, and with one it is EINVAL.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	assert(kill(4242, 65) == -1 && errno == ESRCH);
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	assert(kill(p, 65) == -1 && errno == EINVAL);
	assert(kill(p, -1) == -1 && errno == EINVAL);
	assert(waitpid(p, NULL, 0) == p);
	return 0;
}
