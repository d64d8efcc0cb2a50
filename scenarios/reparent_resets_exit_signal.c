// reparent_leader() resets a reparented child's exit_signal to SIGCHLD, so
// the new parent reaps it with a plain wait() (no __WALL). Inside ns1, c
// creates d with exit_signal 0 and exits; d goes to b, ns1's init, and b's
// plain wait() loop reaps both c and d. Outside, main leaves behind e (exit
// signal 0, maybe already a zombie) when it returns; init reaps it, so
// nothing leaks. d is b's child before c is a zombie (forget_original_parent()
// runs before exit_state is set, under tasklist_lock), so b always sees 1+2.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	pid_t e = clone_exit_signal(0);
	if (e == 0)
		_exit(0);
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0) {
		int n = 0;
		pid_t c = fork();
		if (c == 0) {
			pid_t d = clone_exit_signal(0);
			if (d == 0)
				_exit(2);
			_exit(1);
		}
		while (wait(&s) > 0)
			n += WEXITSTATUS(s);
		assert(errno == ECHILD);
		_exit(n);
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s));
	assert(WEXITSTATUS(s) == 3);
	return 0;
}
