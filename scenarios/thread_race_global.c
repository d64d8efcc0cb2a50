// Without join, main may see 0 or 1: both outcomes must be allowed, so an
// assertion that it is 1 fails in some interleaving.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: assertion
#include "taskcheck.h"
int g;
void *w(void *arg)
{
	g = 1;
	return NULL;
}
int main(void)
{
	pthread_t t;
	assert(pthread_create(&t, NULL, w, NULL) == 0);
	int v = g;
	pthread_join(t, NULL);
	assert(v == 1);
	return 0;
}
