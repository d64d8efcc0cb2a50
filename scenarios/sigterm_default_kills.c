// SIGTERM with the default handler terminates an ordinary process: the
// signal is fatal to the whole group (complete_signal() sets
// SIGNAL_GROUP_EXIT with group_exit_code = SIGTERM), b dies on its way back
// to user mode (get_signal() -> do_group_exit()), and main's wait status
// says "killed by SIGTERM". A second kill() still finds the zombie (0);
// once it is reaped the pid is gone (ESRCH).
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
	int s;
	pid_t b = fork();
	if (b == 0) {
		for (;;)
			getpid();
	}
	assert(kill(b, SIGTERM) == 0);
	assert(kill(b, SIGTERM) == 0);
	assert(waitpid(b, &s, 0) == b);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM);
	assert(kill(b, SIGTERM) == -1 && errno == ESRCH);
	return 0;
}
