// The child picks one of three ways to end (nondet): a normal _exit(300),
// whose status is truncated to its low byte (300 & 0xff == 44), a SIGTERM to
// itself, or spinning until the parent SIGKILLs it. The parent polls with
// WNOHANG in a do/while loop (killing the spinner after the first miss) and
// classifies the status (if/else: no switch in the subset).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int classify(int s)
{
	if (WIFEXITED(s))
		return 1;
	if (WIFSIGNALED(s))
		return 2;
	return 0;
}

int main(void)
{
	int s = 0;
	int polls = 0;
	int how = nondet(3);
	pid_t r;
	pid_t b = fork();
	if (b == 0) {
		if (how == 0)
			_exit(300);
		else if (how == 1)
			kill(getpid(), SIGTERM);
		for (;;)
			getpid();
	}
	do {
		r = waitpid(b, &s, WNOHANG);
		assert(r == 0 || r == b);
		if (r == 0 && how == 2 && polls == 0)
			assert(kill(b, SIGKILL) == 0);
		if (r == 0)
			polls = 1;
	} while (r == 0);

	int c = classify(s);
	if (c == 1) {
		assert(how == 0);
		assert(WEXITSTATUS(s) == 44);
	} else if (c == 2) {
		assert(how != 0);
		if (how == 1)
			assert(WTERMSIG(s) == SIGTERM);
		else
			assert(WTERMSIG(s) == SIGKILL);
	} else {
		assert(0);
	}
	assert(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	return 0;
}
