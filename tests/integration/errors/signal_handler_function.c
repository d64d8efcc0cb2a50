// A user signal handler: function values are only start routines.
#include <assert.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int got;

void on_chld(int sig)
{
	got = 1;
}

int main(void)
{
	signal(SIGCHLD, on_chld);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	assert(waitpid(b, NULL, 0) == b);
	return 0;
}
