int main(void)
{
	int x = undefined_var + 1;
	return x;
}
