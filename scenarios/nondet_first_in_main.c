// nondet() as a task's first visible action: the search takes both branches
// (a step that reaches a choice from invisible code ends before it), so the
// failing branch is found.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: assertion
#include "taskcheck.h"

int main(void)
{
	int x = nondet(2);
	assert(x == 0);
	return 0;
}
