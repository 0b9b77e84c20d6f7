using System;
using Edge.Pi.Drivers;
using Edge.Runtime;

namespace Edge.Pi.Pipelines
{
    /// <summary>
    /// How an IMU window maps onto a model input: T time steps (rows, oldest first) of C channels.
    /// Accepted shapes: [1, T, C], [1, T, C, 1], [1, T, 1, C], and [1, T·C] when the channel count is given.
    /// C is 6 — ax, ay, az in g, then gx, gy, gz in °/s — or 3 — ax, ay, az in g (accelerometer only).
    /// </summary>
    public readonly struct ImuInputLayout
    {
        public readonly int Window;
        public readonly int Channels;

        public ImuInputLayout(int window, int channels)
        {
            if (window < 1) throw new ArgumentOutOfRangeException(nameof(window));
            if (channels != 3 && channels != 6) throw new ArgumentOutOfRangeException(nameof(channels), "3 (accel) or 6 (accel + gyro) channels");
            Window = window; Channels = channels;
        }

        /// <summary>The layout of an input tensor; <paramref name="channels"/> (3 or 6) is needed only for [1, T·C].</summary>
        public static ImuInputLayout FromShape(int[] shape, int channels = 0)
        {
            string s = "[" + string.Join(", ", shape) + "]";
            if (shape.Length < 2 || shape[0] != 1)
                throw new ArgumentException($"IMU input shape {s}: expected [1, T, C], [1, T, C, 1], [1, T, 1, C] or [1, T·C]");
            int t, c;
            if (shape.Length == 3) { t = shape[1]; c = shape[2]; }
            else if (shape.Length == 4 && shape[3] == 1) { t = shape[1]; c = shape[2]; }
            else if (shape.Length == 4 && shape[2] == 1) { t = shape[1]; c = shape[3]; }
            else if (shape.Length == 2 && (channels == 3 || channels == 6) && shape[1] % channels == 0) { t = shape[1] / channels; c = channels; }
            else throw new ArgumentException($"IMU input shape {s}: expected [1, T, C], [1, T, C, 1], [1, T, 1, C] or [1, T·C] with --channels");
            if (c != 3 && c != 6) throw new ArgumentException($"IMU input shape {s}: {c} channels; 3 (ax, ay, az) or 6 (ax, ay, az, gx, gy, gz) expected");
            if (channels != 0 && channels != c) throw new ArgumentException($"IMU input shape {s} has {c} channels, not {channels}");
            return new ImuInputLayout(t, c);
        }
    }

    /// <summary>
    /// IMU samples → sliding window → model. Each <see cref="Push"/> quantizes one sample into a ring buffer of T
    /// rows (int8: q = clamp(round(x / scale) + zero_point, −128, 127), rounding half away from zero as TFLite's
    /// quantize does; float32 inputs take the values as they are). Once T samples are in, and then every
    /// <c>hop</c> samples, the ring is copied oldest-first into the input tensor, the model runs and the top class
    /// of output 0 is kept with its dequantized score. Nothing is allocated per sample or per hop.
    /// </summary>
    public sealed class ImuPipeline
    {
        private readonly Interpreter _interp;
        private readonly int _hop;
        private readonly int _inputIndex;
        private readonly DType _inType, _outType;
        private readonly double _inScale;
        private readonly int _inZeroPoint;
        private readonly int _elemSize, _rowBytes;
        private readonly byte[] _ring;     // T rows of C elements, row r at r·rowBytes
        private readonly byte[] _input;    // the window as last fed to the model, oldest row first
        private readonly byte[] _output;
        private readonly float _outScale;
        private readonly int _outZeroPoint;
        private int _head;                 // the row the next sample goes to (= the oldest row once full)
        private long _pushed;

        public ImuPipeline(Interpreter interpreter, int hop, int channels = 0, int inputIndex = 0)
        {
            _interp = interpreter ?? throw new ArgumentNullException(nameof(interpreter));
            if (hop < 1) throw new ArgumentOutOfRangeException(nameof(hop), "hop must be at least 1");
            _hop = hop;
            _inputIndex = inputIndex;
            TensorInfo inT = interpreter.Input(inputIndex);
            Layout = ImuInputLayout.FromShape(inT.Shape, channels);
            _inType = inT.Type;
            if (_inType != DType.Int8 && _inType != DType.Float32)
                throw new ArgumentException($"IMU input '{inT.Name}' is {TensorInfo.DTypeName(_inType)}; int8 or float32 expected");
            if (_inType == DType.Int8 && !(inT.Scale > 0))
                throw new ArgumentException($"IMU input '{inT.Name}' is int8 without a positive scale");
            _inScale = inT.Scale;
            _inZeroPoint = inT.ZeroPoint;
            _elemSize = TensorInfo.ElementSize(_inType);
            _rowBytes = Layout.Channels * _elemSize;
            if (Layout.Window * _rowBytes != inT.SizeBytes) throw new ArgumentException($"IMU input '{inT.Name}': size {inT.SizeBytes} bytes does not match {Layout.Window}×{Layout.Channels}");
            _ring = new byte[inT.SizeBytes];
            _input = new byte[inT.SizeBytes];

            TensorInfo outT = interpreter.Output(0);
            _outType = outT.Type;
            if (_outType != DType.Int8 && _outType != DType.Float32)
                throw new ArgumentException($"output '{outT.Name}' is {TensorInfo.DTypeName(_outType)}; int8 or float32 expected");
            _output = new byte[outT.SizeBytes];
            _outScale = outT.Scale;
            _outZeroPoint = outT.ZeroPoint;
        }

        public ImuInputLayout Layout { get; }
        public int Hop => _hop;
        public long SamplesPushed => _pushed;
        public long Inferences { get; private set; }
        /// <summary>Argmax of output 0 after the last inference (−1 before the first).</summary>
        public int TopClass { get; private set; } = -1;
        /// <summary>Its score: (q − zero_point) × scale for int8 outputs, the value for float32.</summary>
        public double TopScore { get; private set; }
        /// <summary>The input bytes of the last inference (T rows oldest first).</summary>
        public ReadOnlySpan<byte> LastInput => _input;
        /// <summary>Output 0's bytes after the last inference.</summary>
        public ReadOnlySpan<byte> LastOutput => _output;

        /// <summary>int8 quantization: clamp(round_half_away_from_zero(x / scale) + zeroPoint, −128, 127).</summary>
        public static sbyte Quantize(double x, double scale, int zeroPoint)
        {
            double q = Math.Round(x / scale, MidpointRounding.AwayFromZero) + zeroPoint;
            if (double.IsNaN(q)) return (sbyte)Math.Clamp(zeroPoint, -128, 127);
            return (sbyte)Math.Clamp(q, -128.0, 127.0);
        }

        /// <summary>Adds one sample; returns true when it completed a hop and the model ran.</summary>
        public bool Push(in ImuSample s)
        {
            int o = _head * _rowBytes;
            Put(o, 0, s.Ax); Put(o, 1, s.Ay); Put(o, 2, s.Az);
            if (Layout.Channels == 6) { Put(o, 3, s.Gx); Put(o, 4, s.Gy); Put(o, 5, s.Gz); }
            _head = _head + 1 == Layout.Window ? 0 : _head + 1;
            _pushed++;
            if (_pushed < Layout.Window || (_pushed - Layout.Window) % _hop != 0) return false;
            Run();
            return true;
        }

        private void Put(int rowOffset, int channel, double x)
        {
            int at = rowOffset + channel * _elemSize;
            if (_inType == DType.Int8) _ring[at] = (byte)Quantize(x, _inScale, _inZeroPoint);
            else BitConverter.TryWriteBytes(new Span<byte>(_ring, at, 4), (float)x);
        }

        private void Run()
        {
            // Oldest row is at _head once the ring is full: copy [head, T) then [0, head).
            int split = _head * _rowBytes;
            Buffer.BlockCopy(_ring, split, _input, 0, _ring.Length - split);
            Buffer.BlockCopy(_ring, 0, _input, _ring.Length - split, split);
            _interp.SetInput(_inputIndex, _input, 0);
            _interp.Invoke();
            _interp.GetOutput(0, _output, 0);
            int best = 0;
            double bestScore = double.NegativeInfinity;
            int count = _outType == DType.Int8 ? _output.Length : _output.Length / 4;
            for (int i = 0; i < count; i++)
            {
                double v = _outType == DType.Int8
                    ? ((sbyte)_output[i] - _outZeroPoint) * (double)_outScale
                    : BitConverter.ToSingle(_output, 4 * i);
                if (v > bestScore) { bestScore = v; best = i; }
            }
            TopClass = best;
            TopScore = bestScore;
            Inferences++;
        }
    }
}
