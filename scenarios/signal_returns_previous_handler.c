// signal(2) returns the previous disposition (kernel/signal.c: the old
// sa_handler of do_sigaction()): SIG_DFL at first, then SIG_IGN.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <signal.h>
#include "taskcheck.h"

int main(void)
{
	assert(signal(SIGCHLD, SIG_IGN) == SIG_DFL);
	assert(signal(SIGCHLD, SIG_DFL) == SIG_IGN);
	assert(signal(SIGCHLD, SIG_DFL) == SIG_DFL);
	return 0;
}
