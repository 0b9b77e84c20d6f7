using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Cli;
using Edge.Kernels.Simd;
using Xunit;

namespace Edge.Tests.Cli
{
    /// <summary>The catalog drives the micro-benchmark: every runnable kernel is timed and its bytes checked.</summary>
    public class KernelBenchTests
    {
        [Fact]
        public void BenchKernelsCoversTheCatalogAndEveryKernelMatchesTheReference()
        {
            var stdout = new StringWriter();
            int code = Program.Run(new[] { "bench-kernels", "--iterations", "2", "--json" }, stdout, new StringWriter());
            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(stdout.ToString());
            var rows = doc.RootElement.EnumerateArray().ToArray();
            var expected = KernelCatalog.All.Where(e => KernelCatalog.IsSupported(e.Set) && e.Set != KernelSetKind.NeonModel
                                                        && KernelBenchCommand.Workloads.ContainsKey(e.Op)).Select(e => e.Name).ToHashSet();
            Assert.Equal(expected, rows.Select(r => r.GetProperty("kernel").GetString()).ToHashSet());
            Assert.All(rows, r => Assert.True(r.GetProperty("sameBytes").GetBoolean(), r.GetProperty("kernel").GetString()));
            Assert.All(rows, r => Assert.True(r.GetProperty("kernelUs").GetDouble() > 0));
        }
    }
}
