using System;
using System.Diagnostics;
using Edge.Converter.FlatBuffers;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Format
{
    public class MalformedFileTests
    {
        private readonly ITestOutputHelper _out;
        public MalformedFileTests(ITestOutputHelper o) { _out = o; }

        [Theory]
        [InlineData("ir_small")]
        [InlineData("hello_world_int8")]
        [InlineData("kws_ref_model")]
        [InlineData("person_detect")]
        public void Probe(string name)
        {
            var sw = Stopwatch.StartNew();
            byte[] b = TestModels.EdgeBytes(name);
            long conv = sw.ElapsedMilliseconds;
            var r = new FlatBufferReader(b);
            var c = r.Root().GetVector(6, 1);
            sw.Restart();
            EdgeModel m = null;
            for (int i = 0; i < 20; i++) m = EdgeModel.Load(b);
            double load = sw.Elapsed.TotalMilliseconds / 20;
            var it = new Interpreter(m, new byte[m.ArenaBytes]);
            it.Invoke();
            sw.Restart();
            for (int i = 0; i < 5; i++) it.Invoke();
            double inv = sw.Elapsed.TotalMilliseconds / 5;
            _out.WriteLine($"{name}: file {b.Length} constants {c.Position}+{c.Length} conv {conv} ms load {load:F3} ms invoke {inv:F3} ms tensors {m.Tensors.Length} ops {m.Ops.Length}");
        }
    }
}
