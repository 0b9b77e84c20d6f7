using System;
using System.Collections.Generic;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Esp32.HostTests
{
    /// <summary>
    /// The small conformance models run through the runtime source files compiled into THIS assembly (as the
    /// nanoFramework build compiles them), with the reference kernels, compared byte for byte with TensorFlow
    /// Lite Micro's expected outputs in ../shared/conformance.
    /// </summary>
    public class LinkedRuntimeConformanceTests
    {
        private readonly ITestOutputHelper _log;
        public LinkedRuntimeConformanceTests(ITestOutputHelper log) { _log = log; }

        [Fact]
        public void Runtime_types_come_from_the_linked_source_not_from_Edge_Runtime_dll()
        {
            Assert.Equal(typeof(LinkedRuntimeConformanceTests).Assembly, typeof(EdgeModel).Assembly);
            Assert.Equal(typeof(LinkedRuntimeConformanceTests).Assembly, typeof(Edge.Kernels.Reference.FullyConnected).Assembly);
            Assert.Equal(typeof(LinkedRuntimeConformanceTests).Assembly, typeof(Mpu6050).Assembly);
            Assert.NotEqual("Edge.Runtime", typeof(EdgeModel).Assembly.GetName().Name);
        }

        [SharedDataTheory]
        [InlineData("hello_world_int8")]
        [InlineData("micro_speech_quantized")]
        [InlineData("ad01_int8")]
        [InlineData("kws_ref_model")]
        public void Matches_TFLite_Micro_byte_for_byte(string caseName)
        {
            EdgeModel model = EdgeModel.Load(Models.Conformance(caseName));
            Assert.Equal("reference", model.Kernels);
            byte[] arena = new byte[model.ArenaBytes];
            var interpreter = new Interpreter(model, arena);
            var sets = CaseInputs.Load(caseName);
            Assert.NotEmpty(sets);
            var failures = new List<string>();
            int bytes = 0;
            foreach (var set in sets)
            {
                Array.Clear(arena);
                Assert.Equal(model.InputCount, set.Inputs.Length);
                for (int i = 0; i < set.Inputs.Length; i++)
                {
                    Npy input = Npy.Read(set.Inputs[i]);
                    Assert.Equal(model.Input(i).Shape, input.Shape);
                    Assert.Equal(model.Input(i).SizeBytes, input.Data.Length);
                    interpreter.SetInput(i, input.Data, 0);
                }
                interpreter.Invoke();
                Assert.Equal(model.OutputCount, set.Expected.Length);
                for (int o = 0; o < set.Expected.Length; o++)
                {
                    Npy expected = Npy.Read(set.Expected[o]);
                    TensorInfo t = model.Output(o);
                    Assert.Equal(expected.Shape, t.Shape);
                    Assert.Equal(expected.Data.Length, t.SizeBytes);
                    var actual = new byte[t.SizeBytes];
                    interpreter.GetOutput(o, actual, 0);
                    for (int k = 0; k < actual.Length; k++)
                    {
                        if (actual[k] != expected.Data[k])
                        {
                            failures.Add($"{caseName}/{set.Name} output {o}: byte {k} is {(sbyte)actual[k]}, TFLM gives {(sbyte)expected.Data[k]}");
                            break;
                        }
                    }
                    bytes += actual.Length;
                }
            }
            _log.WriteLine($"{caseName}: {sets.Count} input sets, {bytes} output bytes compared, {failures.Count} mismatches");
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
    }
}
