// Not every exit signal kills the parent: SIGCONT (18 on x86 and arm), like
// SIGCHLD, SIGURG and SIGWINCH, is in SIG_KERNEL_IGNORE_MASK, so with the
// default handler prepare_signal() -> sig_ignored() -> sig_handler_ignored()
// drops it (a running task has nothing to continue). x survives b's death,
// reaps b with __WCLONE (exit_signal != SIGCHLD) and exits normally.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	pid_t x = fork();
	if (x == 0) {
		pid_t b = clone_exit_signal(18);
		if (b == 0)
			_exit(2);
		assert(waitpid(b, &s, __WCLONE) == b && WEXITSTATUS(s) == 2);
		_exit(7);
	}
	assert(waitpid(x, &s, 0) == x);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 7);
	return 0;
}
