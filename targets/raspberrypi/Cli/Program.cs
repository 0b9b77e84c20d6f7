using System;
using System.IO;
using System.Linq;

namespace Edge.Pi.Cli
{
    /// <summary>One edge-pi command (one class per verb in Cli/; found by reflection, so verbs are independent files).</summary>
    public interface IPiVerb
    {
        string Name { get; }
        /// <summary>One usage line, e.g. "camera --model M.edge [--device /dev/video0]".</summary>
        string Usage { get; }
        int Run(string[] args, TextWriter stdout, TextWriter stderr);
    }

    /// <summary>edge-pi command line. Exit codes as the edge CLI: 0 ok, 1 usage, 2 invalid input or device error, 3 internal error.</summary>
    public static class Program
    {
        public const int ExitOk = 0, ExitUsage = 1, ExitInvalid = 2, ExitInternal = 3;

        public static IPiVerb[] Verbs { get; } = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IPiVerb).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface && t.GetConstructor(Type.EmptyTypes) != null)
            .Select(t => (IPiVerb)Activator.CreateInstance(t)!)
            .OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();

        public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

        public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help")
            {
                var w = args.Length == 0 ? stderr : stdout;
                w.WriteLine("edge-pi — run .edge models on a Raspberry Pi: camera, IMU, audio, energy");
                w.WriteLine();
                foreach (var v in Verbs) w.WriteLine("  edge-pi " + v.Usage);
                return args.Length == 0 ? ExitUsage : ExitOk;
            }
            var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
            if (verb == null)
            {
                stderr.WriteLine($"edge-pi: unknown command '{args[0]}' (edge-pi --help)");
                return ExitUsage;
            }
            try { return verb.Run(args[1..], stdout, stderr); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Edge.Runtime.EdgeFormatException or DeviceException)
            {
                stderr.WriteLine($"edge-pi: error: {e.Message}");
                return ExitInvalid;
            }
        }
    }

    /// <summary>A device could not be opened or answered wrongly (missing /dev node, ioctl failure, bad id register).</summary>
    public sealed class DeviceException : Exception
    {
        public DeviceException(string message) : base(message) { }
    }
}
