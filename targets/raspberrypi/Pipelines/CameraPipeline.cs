using System;
using System.Buffers.Binary;
using System.Diagnostics;
using Edge.Pi.Devices;
using Edge.Runtime;

namespace Edge.Pi.Pipelines
{
    /// <summary>The outcome of one camera frame.</summary>
    public struct CameraResult
    {
        /// <summary>1-based frame number.</summary>
        public int Frame;
        /// <summary>Index of the highest score (the first one on ties).</summary>
        public int Label;
        public string LabelName;
        /// <summary>The dequantized score of <see cref="Label"/>: (q − zero_point) · scale.</summary>
        public float Score;
        public double PreprocessMs;
        public double InferenceMs;
        /// <summary>Whether the LED is on after this frame.</summary>
        public bool LedOn;
    }

    /// <summary>
    /// Camera → model → label, with nothing allocated per frame: <see cref="Step"/> captures a frame, preprocesses
    /// it straight into the input tensor's bytes in the interpreter's arena (<see cref="Preprocessor"/>), invokes,
    /// dequantizes output 0 into a preallocated score array and takes the argmax. An optional LED follows one
    /// label (on while it is the argmax; written only when that changes).
    /// </summary>
    public sealed class CameraPipeline
    {
        private readonly Interpreter _interpreter;
        private readonly FrameSource _source;
        private readonly GpioOutput _led;
        private readonly int _ledLabel;
        private readonly TensorInfo _input, _output;
        private readonly float[] _scores;
        private readonly string[] _labels;
        private bool _ledOn;
        private int _frame;

        /// <param name="labels">One name per output element (missing names become "class N").</param>
        /// <param name="led">Optional: driven high while <paramref name="ledLabel"/> wins.</param>
        public CameraPipeline(Interpreter interpreter, FrameSource source, ResizeMode mode, InputRange range,
            string[] labels = null, GpioOutput led = null, string ledLabel = "person")
        {
            _interpreter = interpreter ?? throw new ArgumentNullException(nameof(interpreter));
            _source = source ?? throw new ArgumentNullException(nameof(source));
            if (interpreter.InputCount != 1) throw new ArgumentException($"the camera pipeline needs a model with one input (this one has {interpreter.InputCount})");
            _input = interpreter.Input(0);
            _output = interpreter.Output(0);
            int[] s = _input.Shape;
            int h, w, c;
            if (s.Length == 4 && s[0] == 1) { h = s[1]; w = s[2]; c = s[3]; }
            else if (s.Length == 3 && s[0] == 1) { h = s[1]; w = s[2]; c = 1; }
            else throw new ArgumentException($"input shape {_input.ShapeText()}: the camera pipeline needs [1, H, W, C] (NHWC) or [1, H, W]");
            if (_input.Scales == null || _input.IsPerChannel) throw new ArgumentException("the input tensor is not per-tensor quantized");
            if (_output.Type != DType.Int8 && _output.Type != DType.UInt8 && _output.Type != DType.Float32)
                throw new ArgumentException($"output type {TensorInfo.DTypeName(_output.Type)}: expected int8, uint8 or float32 scores");
            Quantizer = new InputQuantizer(_input.Scale, _input.ZeroPoint, range, _input.Type);
            Preprocessor = new Preprocessor(source.Width, source.Height, source.Stride, source.Format, w, h, c, mode, Quantizer);
            if (Preprocessor.OutBytes != _input.SizeBytes) throw new ArgumentException($"input {_input.ShapeText()} holds {_input.SizeBytes} bytes, expected {Preprocessor.OutBytes}");

            _scores = new float[_output.ElementCount];
            _labels = new string[_scores.Length];
            for (int i = 0; i < _labels.Length; i++)
                _labels[i] = labels != null && i < labels.Length && !string.IsNullOrEmpty(labels[i]) ? labels[i] : "class " + i;
            _led = led;
            _ledLabel = -1;
            if (led != null)
            {
                _ledLabel = Array.IndexOf(_labels, ledLabel);
                if (_ledLabel < 0) throw new ArgumentException($"LED label '{ledLabel}' is not among the labels ({string.Join(", ", _labels)})");
                led.Write(false);
            }
        }

        public Preprocessor Preprocessor { get; }
        public InputQuantizer Quantizer { get; }
        public Interpreter Interpreter => _interpreter;
        /// <summary>The dequantized scores of the last frame.</summary>
        public ReadOnlySpan<float> Scores => _scores;
        public ReadOnlySpan<string> Labels => _labels;
        /// <summary>The input tensor's bytes in the arena (what the last frame was turned into).</summary>
        public Span<byte> InputBytes => _interpreter.Arena.AsSpan(_input.DataOffset, _input.SizeBytes);
        public ReadOnlySpan<byte> OutputBytes => _interpreter.Arena.AsSpan(_output.DataOffset, _output.SizeBytes);

        /// <summary>One frame: capture, preprocess into the input tensor, invoke, read the label. Allocates nothing.</summary>
        public CameraResult Step()
        {
            Prepare();
            return Infer();
        }

        private double _preprocessMs;

        /// <summary>
        /// The first half of <see cref="Step"/>: captures a frame and preprocesses it into the input tensor
        /// (<see cref="InputBytes"/> holds it until <see cref="Infer"/>; the arena plan may reuse those bytes for
        /// activations during the invoke).
        /// </summary>
        public void Prepare()
        {
            ReadOnlySpan<byte> frame = _source.Capture();
            long t0 = Stopwatch.GetTimestamp();
            Preprocessor.Run(frame, InputBytes);
            _preprocessMs = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency;
        }

        /// <summary>The second half of <see cref="Step"/>: invoke, dequantize output 0, argmax, LED.</summary>
        public CameraResult Infer()
        {
            long t1 = Stopwatch.GetTimestamp();
            _interpreter.Invoke();
            long t2 = Stopwatch.GetTimestamp();

            ReadOnlySpan<byte> o = OutputBytes;
            if (_output.Type == DType.Float32)
                for (int i = 0; i < _scores.Length; i++) _scores[i] = BinaryPrimitives.ReadSingleLittleEndian(o.Slice(4 * i));
            else
            {
                float scale = _output.Scale == 0f ? 1f : _output.Scale;
                int zp = _output.ZeroPoint;
                bool signed = _output.Type == DType.Int8;
                for (int i = 0; i < _scores.Length; i++) _scores[i] = ((signed ? (sbyte)o[i] : o[i]) - zp) * scale;
            }
            int best = 0;
            for (int i = 1; i < _scores.Length; i++) if (_scores[i] > _scores[best]) best = i;

            if (_led != null)
            {
                bool on = best == _ledLabel;
                if (on != _ledOn) { _led.Write(on); _ledOn = on; }
            }
            _frame++;
            return new CameraResult
            {
                Frame = _frame,
                Label = best,
                LabelName = _labels[best],
                Score = _scores[best],
                PreprocessMs = _preprocessMs,
                InferenceMs = (t2 - t1) * 1000.0 / Stopwatch.Frequency,
                LedOn = _ledOn,
            };
        }
    }
}
