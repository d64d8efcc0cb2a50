// SIGSTOP is outside the model: the search reaches it and stops there.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t b = fork();
	if (b == 0)
		for (;;)
			getpid();
	kill(b, SIGSTOP);
	waitpid(b, NULL, 0);
	return 0;
}
