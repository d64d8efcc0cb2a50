void *worker(void *arg)
{
	return NULL;
}
