using System;
using System.IO;
using Edge.Runtime;
using Xunit;

namespace Edge.Esp32.HostTests
{
    /// <summary>A clock the test advances by hand: every read moves it on by <see cref="Step"/> ticks.</summary>
    public sealed class FakeClock : TickClock
    {
        public long Now;
        public long Step = 1000;
        public override long Ticks() { long t = Now; Now += Step; return t; }
        public override long TicksPerMillisecond => 10_000;
    }

    /// <summary>The board loop (Core/ImuInference) with a simulated MPU6050 and a real model.</summary>
    public class ImuInferenceTests
    {
        private static EdgeModel SineModel() => EdgeModel.Load(Models.Convert(File.ReadAllBytes(Models.SineTflite), "sine_int8.tflite", null));

        [Fact]
        public void Runs_the_model_on_the_quantized_window_and_times_it()
        {
            EdgeModel model = SineModel();
            var interpreter = new Interpreter(model, new byte[model.ArenaBytes]);
            var bus = new SimulatedMpu6050();
            var clock = new FakeClock { Step = 1234 };
            int channels = ImuInference.ChooseChannels(model.Input(0), 3);
            Assert.Equal(1, channels);   // the sine model's input is [1, 1]
            var pipeline = new ImuInference(interpreter, new Mpu6050(bus), clock, channels, hop: 2);
            Assert.Equal(1, pipeline.Window.Frames);

            // Reference path: the same model through its own interpreter, input quantized independently.
            var reference = new Interpreter(model, new byte[model.ArenaBytes]);
            TensorInfo input = model.Input(0);
            int runs = 0;
            for (int step = 0; step < 9; step++)
            {
                int ax = (step - 4) * 4000;           // -1 g .. +1 g in ±2 g counts
                bus.SetSample(ax, 0, 16384, 0, 0, 0, 0);
                bool ran = pipeline.Step();
                Assert.Equal(step % 2 == 0, ran);    // window of 1 frame: full at once, then every 2nd sample
                if (!ran) continue;
                runs++;
                float x = ax / 16384f;
                double q = Math.Round((double)(x / input.Scale), MidpointRounding.AwayFromZero) + input.ZeroPoint;
                reference.SetInput(0, new[] { (byte)(sbyte)Math.Clamp(q, -128, 127) }, 0);
                reference.Invoke();
                var want = new byte[model.Output(0).SizeBytes];
                var got = new byte[want.Length];
                reference.GetOutput(0, want, 0);
                interpreter.GetOutput(0, got, 0);
                Assert.Equal(want, got);
            }
            Assert.Equal(5, runs);
            Assert.Equal(5, pipeline.Timing.Count);
            Assert.Equal(1234, pipeline.Timing.Last);   // t1 - t0 with the fake clock
            Assert.Equal(1234, pipeline.Timing.Mean);
        }

        [SharedDataFact]
        public void A_640_value_window_feeds_ad01_frame_major_and_allocates_nothing_per_step()
        {
            EdgeModel model = EdgeModel.Load(Models.Conformance("ad01_int8"));
            var interpreter = new Interpreter(model, new byte[model.ArenaBytes]);
            var bus = new SimulatedMpu6050();
            var pipeline = new ImuInference(interpreter, new Mpu6050(bus), new FakeClock(), 1, hop: 640);
            TensorInfo input = model.Input(0);
            for (int i = 0; i < 639; i++) { bus.SetSample(i * 37 - 12000, 0, 0, 0, 0, 0, 0); Assert.False(pipeline.Step()); }
            bus.SetSample(639 * 37 - 12000, 0, 0, 0, 0, 0, 0);
            Assert.True(pipeline.Step());
            // The model saw the window, oldest sample first: same output as the model run on an independently
            // quantized copy of the 640 samples (the input's arena bytes are reused by later ops, so compare outputs).
            var quantized = new byte[640];
            for (int i = 0; i < 640; i++)
            {
                float x = (i * 37 - 12000) / 16384f;
                quantized[i] = (byte)(sbyte)Math.Clamp(Math.Round((double)(x / input.Scale), MidpointRounding.AwayFromZero) + input.ZeroPoint, -128, 127);
            }
            var reference = new Interpreter(model, new byte[model.ArenaBytes]);
            reference.SetInput(0, quantized, 0);
            reference.Invoke();
            var want = new byte[model.Output(0).SizeBytes];
            var got = new byte[want.Length];
            reference.GetOutput(0, want, 0);
            interpreter.GetOutput(0, got, 0);
            Assert.Equal(want, got);
            // Steady state: read, window, quantize, invoke — no managed allocation.
            for (int i = 0; i < 700; i++) pipeline.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            int ran = 0;
            for (int i = 0; i < 1280; i++) if (pipeline.Step()) ran++;
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
            Assert.Equal(2, ran);
        }

        [Fact]
        public void Channel_choice_and_input_checks()
        {
            TensorInfo T(params int[] shape)
            {
                int n = 1; foreach (int d in shape) n *= d;
                return new TensorInfo { Type = DType.Int8, Shape = shape, ElementCount = n, SizeBytes = n, Scales = new[] { 0.1f }, ZeroPoints = new[] { 0 } };
            }
            Assert.Equal(3, ImuInference.ChooseChannels(T(1, 50, 3), 3));
            Assert.Equal(6, ImuInference.ChooseChannels(T(1, 50, 6), 6));
            Assert.Equal(3, ImuInference.ChooseChannels(T(1, 51), 6));    // 51 % 6 != 0, 51 % 3 == 0 → 3
            Assert.Equal(1, ImuInference.ChooseChannels(T(1, 49, 10), 3)); // 490 → 1
            Assert.Equal(1, ImuInference.ChooseChannels(T(1, 1), 3));

            var frame = new float[6];
            var s = new Mpu6050Sample { AccelX = 16384, AccelY = -8192, AccelZ = 4096, GyroX = 131, GyroY = -262, GyroZ = 0 };
            ImuInference.Features(s, 6, frame);
            Assert.Equal(new[] { 1f, -0.5f, 0.25f, 1f, -2f, 0f }, frame);

            EdgeModel model = SineModel();
            var interpreter = new Interpreter(model, new byte[model.ArenaBytes]);
            var mpu = new Mpu6050(new SimulatedMpu6050());
            Assert.Throws<ArgumentException>(() => new ImuInference(interpreter, mpu, new FakeClock(), 3, 1)); // [1,1] is not 3-wide
            Assert.Throws<ArgumentOutOfRangeException>(() => new ImuInference(interpreter, mpu, new FakeClock(), 2, 1));
        }
    }
}
