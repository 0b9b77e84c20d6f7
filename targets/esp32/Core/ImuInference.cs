using System;
using Edge.Runtime;

namespace Edge.Esp32
{
    /// <summary>
    /// The board's main loop without the board: read the MPU6050, append one feature frame to a sliding
    /// window, and every <see cref="Hop"/> frames (once the window is full) quantize the window into the
    /// model's input tensor — in place, in the arena — and run the model, timing each inference.
    /// The model's single int8 input must hold Frames × Channels values, frame-major (for example
    /// [1, 50, 3] or [1, 150]); Frames = input elements / Channels.
    /// After construction nothing here allocates per step.
    /// </summary>
    public sealed class ImuInference
    {
        private readonly Interpreter _interpreter;
        private readonly Mpu6050 _sensor;
        private readonly TickClock _clock;
        private readonly Mpu6050Sample _sample = new Mpu6050Sample();
        private readonly float[] _frame;
        private readonly float[] _flat;
        private long _lastRunAt = -1;

        public readonly SlidingWindow Window;
        public readonly TimingStats Timing = new TimingStats();
        public readonly int Channels;
        public readonly int Hop;

        /// <summary>Features per frame: 1 = accel X (g); 3 = accel X, Y, Z (g); 6 = accel X, Y, Z (g) + gyro X, Y, Z (°/s).</summary>
        public ImuInference(Interpreter interpreter, Mpu6050 sensor, TickClock clock, int channels, int hop)
        {
            if (interpreter == null) throw new ArgumentNullException("interpreter");
            if (sensor == null) throw new ArgumentNullException("sensor");
            if (clock == null) throw new ArgumentNullException("clock");
            if (channels != 1 && channels != 3 && channels != 6) throw new ArgumentOutOfRangeException("channels", "1, 3 or 6 features per frame");
            if (hop <= 0) throw new ArgumentOutOfRangeException("hop");
            if (interpreter.InputCount != 1) throw new ArgumentException(string.Concat("the model has ", interpreter.InputCount.ToString(), " inputs; the IMU pipeline feeds one"));
            TensorInfo input = interpreter.Input(0);
            if (input.Type != DType.Int8) throw new ArgumentException(string.Concat("the model input is ", TensorInfo.DTypeName(input.Type), "; the IMU pipeline feeds int8"));
            if (input.ElementCount % channels != 0)
                throw new ArgumentException(string.Concat("the model input ", input.ShapeText(), " does not split into frames of ", channels.ToString(), " features"));
            _interpreter = interpreter;
            _sensor = sensor;
            _clock = clock;
            Channels = channels;
            Hop = hop;
            Window = new SlidingWindow(input.ElementCount / channels, channels);
            _frame = new float[channels];
            _flat = new float[input.ElementCount];
        }

        /// <summary>
        /// Features per frame for a model input: <paramref name="preferred"/> (1, 3 or 6) when the input splits
        /// into frames of that many values, else 3, else 1 (any int8 input splits into 1-value frames).
        /// </summary>
        public static int ChooseChannels(TensorInfo input, int preferred)
        {
            int n = input.ElementCount;
            if ((preferred == 1 || preferred == 3 || preferred == 6) && n >= preferred && n % preferred == 0) return preferred;
            if (n >= 3 && n % 3 == 0) return 3;
            return 1;
        }

        /// <summary>The last sample read.</summary>
        public Mpu6050Sample LastSample { get { return _sample; } }

        /// <summary>Converts a raw sample to the feature frame this pipeline uses.</summary>
        public static void Features(Mpu6050Sample s, int channels, float[] frame)
        {
            frame[0] = (float)s.AccelX / Mpu6050.AccelLsbPerG;
            if (channels == 1) return;
            frame[1] = (float)s.AccelY / Mpu6050.AccelLsbPerG;
            frame[2] = (float)s.AccelZ / Mpu6050.AccelLsbPerG;
            if (channels == 3) return;
            frame[3] = (float)s.GyroX / Mpu6050.GyroLsbPerDps;
            frame[4] = (float)s.GyroY / Mpu6050.GyroLsbPerDps;
            frame[5] = (float)s.GyroZ / Mpu6050.GyroLsbPerDps;
        }

        /// <summary>Reads one sample and appends it; runs the model when due. Returns true when it ran.</summary>
        public bool Step()
        {
            _sensor.Read(_sample);
            Features(_sample, Channels, _frame);
            Window.Push(_frame, 0);
            if (!Window.IsFull) return false;
            if (_lastRunAt >= 0 && Window.TotalPushed - _lastRunAt < Hop) return false;
            _lastRunAt = Window.TotalPushed;
            RunWindow();
            return true;
        }

        /// <summary>Quantizes the current window into the input tensor (in the arena) and invokes the model once.</summary>
        public void RunWindow()
        {
            if (!Window.IsFull) throw new InvalidOperationException("the window is not full yet");
            int n = Window.CopyTo(_flat, 0);
            TensorInfo input = _interpreter.Input(0);
            Quantizer.QuantizeInto(_flat, n, input, _interpreter.Arena, input.DataOffset);
            long t0 = _clock.Ticks();
            _interpreter.Invoke();
            long t1 = _clock.Ticks();
            Timing.Add(t1 - t0);
        }
    }
}
