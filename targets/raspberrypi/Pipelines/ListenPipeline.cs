using System;
using System.Diagnostics;
using Edge.Runtime;

namespace Edge.Pi.Pipelines
{
    /// <summary>
    /// Keyword spotting from a sample stream, nothing allocated per window: int16 samples → windows of the front
    /// end's input length (480 = 30 ms at 16 kHz) every <c>stride</c> samples (320 = 20 ms) → the front end
    /// (a stateful .edge model, e.g. micro_speech's audio_preprocessor_int8) → one feature row per window kept in a
    /// ring of the classifier's rows (49 × 40) → the classifier, run when the ring first fills (after rows
    /// windows ≈ 1 s) and then every <c>every</c> rows, with the rows copied oldest first into its input.
    /// The classifier therefore sees exactly what TFLite Micro's micro_speech example feeds it for the last
    /// rows·stride + (window − stride) samples.
    /// </summary>
    public sealed class ListenPipeline
    {
        private readonly Interpreter _fe, _model;
        private readonly short[] _window;
        private readonly byte[] _windowBytes;
        private readonly byte[] _ring;
        private readonly byte[] _input;
        private readonly byte[] _output;
        private readonly float[] _scores;
        private readonly long[] _feTicks, _modelTicks;
        private int _fill, _head;
        private long _rowsTotal;
        private readonly DType _outType;
        private readonly float _outScale;
        private readonly int _outZeroPoint;

        public int WindowSamples { get; }
        public int StrideSamples { get; }
        public int FeatureSize { get; }
        public int Rows { get; }
        public int Every { get; }
        public int SampleRate { get; }
        public long Windows { get; private set; }
        public long Inferences { get; private set; }
        /// <summary>Top class and its dequantized score after the last inference (-1 before any).</summary>
        public int TopClass { get; private set; } = -1;
        public float TopScore { get; private set; }
        /// <summary>Dequantized scores of the last inference (owned by the pipeline).</summary>
        public float[] Scores => _scores;
        /// <summary>The classifier output bytes of the last inference (owned by the pipeline).</summary>
        public byte[] OutputBytes => _output;
        /// <summary>End of the newest window, in samples from the start of the stream.</summary>
        public long EndSample => _rowsTotal == 0 ? 0 : (_rowsTotal - 1) * StrideSamples + WindowSamples;
        /// <summary>Called after each inference (set once; invoked on the pushing thread).</summary>
        public Action<ListenPipeline> OnInference;

        /// <param name="frontend">Input int16 [.., window], output int8 [.., features].</param>
        /// <param name="model">Input int8 with rows × features elements; output 0 int8 (dequantized) or float32 scores.</param>
        public ListenPipeline(Interpreter frontend, Interpreter model, int strideSamples = 320, int every = 10, int sampleRate = 16000, int timingCapacity = 1 << 16)
        {
            _fe = frontend ?? throw new ArgumentNullException(nameof(frontend));
            _model = model ?? throw new ArgumentNullException(nameof(model));
            var fin = frontend.Input(0);
            var fout = frontend.Output(0);
            var min = model.Input(0);
            var mout = model.Output(0);
            if (frontend.InputCount != 1 || fin.Type != DType.Int16)
                throw new ArgumentException($"the front end must have one int16 input (samples), has {frontend.InputCount} input(s), input 0 {TensorInfo.DTypeName(fin.Type)} {fin.ShapeText()}");
            if (fout.Type != DType.Int8) throw new ArgumentException($"the front end's output must be int8 features, is {TensorInfo.DTypeName(fout.Type)} {fout.ShapeText()}");
            if (model.InputCount != 1 || min.Type != DType.Int8) throw new ArgumentException($"the model must have one int8 input, has input 0 {TensorInfo.DTypeName(min.Type)} {min.ShapeText()}");
            WindowSamples = fin.ElementCount;
            FeatureSize = fout.ElementCount;
            if (FeatureSize == 0 || min.ElementCount % FeatureSize != 0)
                throw new ArgumentException($"the model input {min.ShapeText()} is not a whole number of {FeatureSize}-feature rows");
            Rows = min.ElementCount / FeatureSize;
            if (strideSamples < 1 || strideSamples > WindowSamples) throw new ArgumentException($"stride {strideSamples} must be in [1, {WindowSamples}] samples");
            if (every < 1) throw new ArgumentException("--every must be at least 1 row");
            if (mout.Type != DType.Int8 && mout.Type != DType.Float32) throw new ArgumentException($"the model's output must be int8 or float32 scores, is {TensorInfo.DTypeName(mout.Type)}");
            StrideSamples = strideSamples;
            Every = every;
            SampleRate = sampleRate;
            _window = new short[WindowSamples];
            _windowBytes = new byte[2 * WindowSamples];
            _ring = new byte[Rows * FeatureSize];
            _input = new byte[Rows * FeatureSize];
            _output = new byte[mout.SizeBytes];
            _outType = mout.Type;
            _outScale = mout.Scale;
            _outZeroPoint = mout.ZeroPoint;
            _scores = new float[mout.ElementCount];
            _feTicks = new long[timingCapacity];
            _modelTicks = new long[timingCapacity];
        }

        /// <summary>Starts a new stream: the front end's state (noise estimate) back to zero, no samples or rows kept.</summary>
        public void Reset()
        {
            _fe.ResetState();
            _fill = 0; _head = 0; _rowsTotal = 0;
            Array.Clear(_ring);
        }

        /// <summary>Feeds samples; runs the front end for every window they complete and the model when due. Allocates nothing.</summary>
        public void Push(ReadOnlySpan<short> samples)
        {
            int i = 0;
            while (i < samples.Length)
            {
                int n = Math.Min(samples.Length - i, WindowSamples - _fill);
                samples.Slice(i, n).CopyTo(_window.AsSpan(_fill));
                _fill += n;
                i += n;
                if (_fill == WindowSamples)
                {
                    ProcessWindow();
                    Array.Copy(_window, StrideSamples, _window, 0, WindowSamples - StrideSamples);
                    _fill = WindowSamples - StrideSamples;
                }
            }
        }

        private void ProcessWindow()
        {
            for (int k = 0; k < WindowSamples; k++)
            {
                short v = _window[k];
                _windowBytes[2 * k] = (byte)v;
                _windowBytes[2 * k + 1] = (byte)(v >> 8);
            }
            _fe.SetInput(0, _windowBytes, 0);
            long t0 = Stopwatch.GetTimestamp();
            _fe.Invoke();
            long t1 = Stopwatch.GetTimestamp();
            _feTicks[Windows % _feTicks.Length] = t1 - t0;
            _fe.GetOutput(0, _ring, _head * FeatureSize);
            _head = (_head + 1) % Rows;
            _rowsTotal++;
            Windows++;
            if (_rowsTotal >= Rows && (_rowsTotal - Rows) % Every == 0) RunModel();
        }

        private void RunModel()
        {
            // Oldest row is at _head: copy [head, rows) then [0, head).
            int split = _head * FeatureSize;
            Buffer.BlockCopy(_ring, split, _input, 0, _ring.Length - split);
            Buffer.BlockCopy(_ring, 0, _input, _ring.Length - split, split);
            _model.SetInput(0, _input, 0);
            long t0 = Stopwatch.GetTimestamp();
            _model.Invoke();
            long t1 = Stopwatch.GetTimestamp();
            _modelTicks[Inferences % _modelTicks.Length] = t1 - t0;
            _model.GetOutput(0, _output, 0);
            int best = 0;
            for (int k = 0; k < _scores.Length; k++)
            {
                _scores[k] = _outType == DType.Int8 ? ((sbyte)_output[k] - _outZeroPoint) * _outScale : BitConverter.ToSingle(_output, 4 * k);
                if (_scores[k] > _scores[best]) best = k;
            }
            TopClass = best;
            TopScore = _scores[best];
            Inferences++;
            OnInference?.Invoke(this);
        }

        /// <summary>Median front-end time per window, ms (over the last timing-capacity windows).</summary>
        public double FrontendP50Ms => Median(_feTicks, Windows);
        /// <summary>Median model time per inference, ms.</summary>
        public double ModelP50Ms => Median(_modelTicks, Inferences);

        private static double Median(long[] ticks, long count)
        {
            int n = (int)Math.Min(count, ticks.Length);
            if (n == 0) return 0;
            var s = new long[n];
            Array.Copy(ticks, s, n);
            Array.Sort(s);
            double m = (n & 1) == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
            return m * 1000.0 / Stopwatch.Frequency;
        }
    }
}
