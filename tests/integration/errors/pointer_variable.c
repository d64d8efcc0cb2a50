int main(void)
{
	int *p;
	return 0;
}
