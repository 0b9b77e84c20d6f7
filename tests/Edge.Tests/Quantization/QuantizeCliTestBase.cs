using System;
using System.IO;
using Edge.Converter.Cli;
using Edge.Converter.Onnx;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>What the PTQ and --dynamic CLI tests share: a temporary folder, the edge CLI in process, ONNX files saved there.</summary>
    public abstract class QuantizeCliTestBase : IDisposable
    {
        protected readonly ITestOutputHelper _log;
        protected readonly string _dir;

        protected QuantizeCliTestBase(ITestOutputHelper log, string prefix)
        {
            _log = log;
            _dir = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
        }

        public void Dispose() { Directory.Delete(_dir, true); }

        /// <summary>Runs `edge ARGS` in process and logs the exit code and both streams.</summary>
        protected (int code, string stdout, string stderr) Edge(params string[] args)
        {
            var o = new StringWriter(); var e = new StringWriter();
            int code = Program.Run(args, o, e);
            _log.WriteLine($"edge {string.Join(" ", args)} -> {code}\n{o}\n{e}");
            return (code, o.ToString(), e.ToString());
        }

        protected string Save(OnnxModel m, string name)
        {
            string p = Path.Combine(_dir, name);
            OnnxWriter.WriteFile(m, p);
            return p;
        }
    }
}
