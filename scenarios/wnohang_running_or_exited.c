// waitpid(WNOHANG): do_wait() returns 0 when an eligible child exists but
// none is a zombie yet, or reaps the zombie if the child has already exited:
// both are allowed, and the checker explores both. With no child left at all
// WNOHANG does not turn the ECHILD into 0.
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
	pid_t b = fork();
	if (b == 0)
		_exit(5);
	pid_t r = waitpid(b, &s, WNOHANG);
	assert(r == 0 || r == b);
	if (r == 0)
		r = waitpid(b, &s, 0);
	assert(r == b && WIFEXITED(s) && WEXITSTATUS(s) == 5);
	assert(waitpid(-1, &s, WNOHANG) == -1 && errno == ECHILD);
	return 0;
}
