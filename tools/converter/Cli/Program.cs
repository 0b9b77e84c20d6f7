namespace Edge.Converter.Cli
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            System.Console.Error.WriteLine("edge: not implemented yet");
            return 3;
        }
    }
}
