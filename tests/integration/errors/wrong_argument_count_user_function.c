int helper(int a, int b)
{
	return a + b;
}
int main(void)
{
	return helper(1);
}
