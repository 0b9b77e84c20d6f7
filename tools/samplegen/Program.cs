using System;
using System.Diagnostics;
using System.IO;

namespace Edge.SampleGen
{
    /// <summary>
    /// dotnet run --project tools/samplegen -- [OUT_DIR]   (default samples/sine)
    /// Trains, quantizes and writes Edge's sine sample model and its inputs.
    /// </summary>
    internal static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length > 1 || (args.Length == 1 && args[0] is "-h" or "--help"))
            {
                Console.Error.WriteLine("usage: dotnet run --project tools/samplegen -- [OUT_DIR]   (default: samples/sine)");
                return args.Length == 1 ? 0 : 1;
            }
            string outDir = args.Length == 1 ? args[0] : Path.Combine("samples", "sine");
            var sw = Stopwatch.StartNew();
            var r = SineSample.Generate(outDir);
            sw.Stop();
            Console.WriteLine($"wrote {Path.Combine(outDir, SineSample.ModelFileName)} ({r.Tflite.Length} bytes), {r.Inputs.Count} inputs, README.md in {sw.Elapsed.TotalSeconds:F2} s");
            Console.WriteLine($"float model: training MSE {r.Float.FinalMse:0.000E+00}, max |y - sin x| on [0, 2pi] {r.FloatMaxAbsError:F4}");
            Console.WriteLine($"input scale {r.Model.Input.Scale:G9} zp {r.Model.Input.ZeroPoint}; output scale {r.Model.Output.Scale:G9} zp {r.Model.Output.ZeroPoint}");
            return 0;
        }
    }
}
