using System;
using System.IO;
using Edge.Pi.Pipelines;
using Edge.Runtime;

namespace Edge.Pi.Cli
{
    /// <summary>
    /// edge-pi selftest: runs the self-test embedded in a model (edge convert … --embed-test IN.npy) on this board
    /// with the chosen kernels — the stored input through the model, every output byte compared with the stored
    /// output of the reference kernels. Exit 0 pass, 2 fail (with the first differing byte) or no self-test.
    /// </summary>
    public sealed class SelfTestVerb : IPiVerb
    {
        public string Name => "selftest";

        public string Usage => "selftest --model M.edge [--kernels auto|reference|portable|x86|neon|neon-model]";

        public int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            string model, kernels;
            try
            {
                var a = new CameraVerb.Args(args, "model", "kernels");
                model = a.Required("model");
                kernels = a.Get("kernels", "auto");
            }
            catch (CameraVerb.Args.UsageError e)
            {
                stderr.WriteLine($"edge-pi selftest: {e.Message}");
                stderr.WriteLine("usage: edge-pi " + Usage);
                return Program.ExitUsage;
            }
            EdgeModel m;
            string kernelName;
            try { m = CameraModel.Load(model, kernels, out kernelName); }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"edge-pi selftest: {e.Message}");
                return Program.ExitUsage;
            }
            if (!m.HasSelfTest)
            {
                stderr.WriteLine($"edge-pi selftest: {model}: no self-test embedded (convert with: edge convert IN.tflite -o {Path.GetFileName(model)} --embed-test IN0.npy)");
                return Program.ExitInvalid;
            }
            SelfTestResult r = new Interpreter(m, new byte[m.ArenaBytes]).SelfTest();
            stdout.WriteLine($"{model}: {r} (kernels: {kernelName})");
            return r.Passed ? Program.ExitOk : Program.ExitInvalid;
        }
    }
}
