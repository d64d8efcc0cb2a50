// SIGCHLD set to SIG_IGN: do_notify_parent() autoreaps the child
// (EXIT_DEAD, released by exit_notify() itself) and sends nothing. wait()
// still sleeps while the child lives (do_wait() sees a live eligible child),
// is woken by __wake_up_parent() when it dies, and then finds no child at
// all: -1/ECHILD, never the child's status.
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
	signal(SIGCHLD, SIG_IGN);
	pid_t b = fork();
	if (b == 0)
		_exit(3);
	assert(wait(&s) == -1 && errno == ECHILD);
	assert(waitpid(b, &s, 0) == -1 && errno == ECHILD);
	return 0;
}
