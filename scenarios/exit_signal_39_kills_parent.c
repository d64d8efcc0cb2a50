// An exit signal is a real signal: do_notify_parent() sends b's exit_signal
// 39 (SIGRTMIN+5, as the seed's reproducer gives B) to x, and its default
// action is to terminate (sig_fatal(): not in SIG_KERNEL_IGNORE_MASK), so x
// dies of signal 39 as soon as b's death is notified. x never gets back to
// user space after that, even if its waitpid() had already reaped b; main
// sees x killed by signal 39.
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
		pid_t b = clone_exit_signal(39);
		if (b == 0)
			_exit(0);
		waitpid(b, NULL, __WCLONE);
		_exit(7);
	}
	assert(waitpid(x, &s, 0) == x);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == 39);
	return 0;
}
