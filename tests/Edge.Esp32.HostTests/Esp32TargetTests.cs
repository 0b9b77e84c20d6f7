extern alias converter;

using System.IO;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;
using ConvModel = converter::Edge.Runtime.EdgeModel;
using Esp32Target = converter::Edge.Converter.Cli.Esp32Target;

namespace Edge.Esp32.HostTests
{
    /// <summary><c>edge inspect --target esp32</c>: the heap estimate against the two ESP32 variants.</summary>
    public class Esp32TargetTests
    {
        private readonly ITestOutputHelper _log;
        public Esp32TargetTests(ITestOutputHelper log) { _log = log; }

        private static (ConvModel Model, long Bytes) Load(string caseName)
        {
            byte[] b = Models.Conformance(caseName);
            return (ConvModel.Load(b), b.Length);
        }

        [Fact]
        public void Heap_block_arithmetic()
        {
            Assert.Equal(12, Esp32Target.ObjectSize(0));
            Assert.Equal(12 * 6, Esp32Target.ObjectSize(5));
            Assert.Equal(24, Esp32Target.ArraySize(0, 4));       // 20-byte header → 2 blocks
            Assert.Equal(24, Esp32Target.ArraySize(1, 4));
            Assert.Equal(36, Esp32Target.ArraySize(2, 4));       // 28 → 36
            Assert.Equal(1020, Esp32Target.ArraySize(1000, 1));  // 20 + 1000 = 85 blocks exactly
            Assert.Equal(1032, Esp32Target.ArraySize(1001, 1));
            Assert.Equal(24, Esp32Target.StringSize(5));          // 12 + 5 + NUL = 18 → 24
            Assert.Equal(24, Esp32Target.StringSize(11));         // 12 + 11 + 1 = 24
        }

        [SharedDataFact]
        public void Hello_world_fits_both_variants()
        {
            var (m, bytes) = Load("hello_world_int8");
            var e = Esp32Target.EstimateFor(m, bytes);
            Assert.All(e.Variants, v => Assert.True(v.Fits));
            Assert.True(e.TotalBytes < 16 * 1024, "hello_world estimate " + e.TotalBytes);
            Assert.Equal(Esp32Target.WroomHeapBytes - e.TotalBytes, e.Variants[0].Margin);
            // Objects: at least the model, one TensorInfo per tensor, one op per op, the interpreter.
            Assert.True(e.Objects >= 1 + m.Tensors.Length + m.Ops.Length + 1);
            var w = new StringWriter();
            Esp32Target.Report(m, bytes, w, json: false);
            _log.WriteLine(w.ToString());
            Assert.Contains("esp32-wroom", w.ToString());
            Assert.DoesNotContain("DOES NOT FIT", w.ToString());
        }

        [SharedDataFact]
        public void Person_detect_does_not_fit_without_PSRAM_but_fits_with_it()
        {
            var (m, bytes) = Load("person_detect");
            var e = Esp32Target.EstimateFor(m, bytes);
            Assert.False(e.Variants[0].Fits);
            Assert.Equal(e.TotalBytes - Esp32Target.WroomHeapBytes, -e.Variants[0].Margin);
            Assert.True(e.Variants[1].Fits);
            Assert.True(e.TotalBytes > bytes + m.ArenaBytes);
            var w = new StringWriter();
            Esp32Target.Report(m, bytes, w, json: false);
            _log.WriteLine(w.ToString());
            Assert.Contains($"DOES NOT FIT, {(e.TotalBytes - Esp32Target.WroomHeapBytes):N0} bytes missing", w.ToString());

            var j = new StringWriter();
            Esp32Target.Report(m, bytes, j, json: true);
            var doc = JsonNode.Parse(j.ToString());
            Assert.Equal("esp32", (string)doc["target"]);
            Assert.Equal(bytes, (long)doc["fileBytes"]);
            Assert.Equal(m.ArenaBytes, (long)doc["arenaBytes"]);
            Assert.Equal(e.TotalBytes, (long)doc["totalBytes"]);
            Assert.False((bool)doc["variants"][0]["fits"]);
            Assert.Equal(e.TotalBytes - Esp32Target.WroomHeapBytes, (long)doc["variants"][0]["missingBytes"]);
            Assert.True((bool)doc["variants"][1]["fits"]);
            Assert.Equal(12, (int)doc["heapModel"]["heapBlockBytes"]);
        }

        [SharedDataTheory]
        [InlineData("micro_speech_quantized")]
        [InlineData("kws_ref_model")]
        [InlineData("ad01_int8")]
        public void Estimate_counts_every_array_the_loader_keeps(string caseName)
        {
            var (m, bytes) = Load(caseName);
            var e = Esp32Target.EstimateFor(m, bytes);
            // Every tensor has a shape array; every op an Inputs and an Outputs array.
            Assert.True(e.Arrays >= m.Tensors.Length + 2 * m.Ops.Length, $"{e.Arrays} arrays");
            Assert.Equal(Esp32Target.ArraySize(bytes, 1) + Esp32Target.ArraySize(m.ArenaBytes, 1) + e.OverheadBytes, e.TotalBytes);
            _log.WriteLine($"{caseName}: file {bytes}, arena {m.ArenaBytes}, overhead {e.OverheadBytes} ({e.Objects} objects, {e.Arrays} arrays, {e.Strings} strings), total {e.TotalBytes}");
        }
    }
}
