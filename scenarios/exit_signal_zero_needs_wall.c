// A child created with exit_signal 0 (clone(0) / clone3 .exit_signal = 0, as
// the seed's reproducer creates C) is a "clone child": eligible_child()
// selects it only with __WALL or __WCLONE. Plain waitpid()/wait() see no
// eligible child and fail with ECHILD at once, even while it is alive, and
// its death sends nothing and never autoreaps (do_notify_parent() only
// autoreaps SIGCHLD children), so __WALL still finds the zombie.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	pid_t b = clone_exit_signal(0);
	if (b == 0)
		_exit(3);
	assert(b > 0);
	assert(waitpid(b, &s, 0) == -1 && errno == ECHILD);
	assert(wait(&s) == -1 && errno == ECHILD);
	assert(waitpid(b, &s, __WALL) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 3);
	assert(waitpid(-1, &s, __WALL) == -1 && errno == ECHILD);
	return 0;
}
