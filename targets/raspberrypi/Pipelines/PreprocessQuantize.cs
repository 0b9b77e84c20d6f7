using System;
using System.Globalization;
using Edge.Runtime;

namespace Edge.Pi.Pipelines
{
    /// <summary>
    /// Which real values the pixel values 0…255 stand for: v ↦ Lo + (Hi − Lo)·v/255. <see cref="Unit"/> ([0, 1])
    /// is the default; <see cref="Symmetric"/> ([−1, 1]) is MobileNet-style. <see cref="TensorRange"/> maps
    /// 0…255 onto the whole int8 range of the input tensor, i.e. q = v − 128 exactly, which is what TFLite Micro's
    /// person_detection example feeds person_detect (the camera byte minus 128).
    /// </summary>
    public readonly struct InputRange
    {
        public InputRange(double lo, double hi)
        {
            if (!(hi > lo) || double.IsInfinity(lo) || double.IsInfinity(hi)) throw new ArgumentException($"input range [{lo}, {hi}] is empty");
            Lo = lo; Hi = hi; IsTensorRange = false;
        }

        private InputRange(bool tensor) { Lo = 0; Hi = 1; IsTensorRange = tensor; }

        public double Lo { get; }
        public double Hi { get; }
        /// <summary>True for "tensor": the range is the input tensor's representable range, resolved by <see cref="Resolve"/>.</summary>
        public bool IsTensorRange { get; }

        public static InputRange Unit => new InputRange(0, 1);
        public static InputRange Symmetric => new InputRange(-1, 1);
        public static InputRange TensorRange => new InputRange(true);

        /// <summary>The concrete range for a tensor quantized with (scale, zeroPoint) over [qmin, qmax].</summary>
        public InputRange Resolve(float scale, int zeroPoint, int qmin = -128, int qmax = 127) =>
            IsTensorRange ? new InputRange((qmin - zeroPoint) * (double)scale, (qmax - zeroPoint) * (double)scale) : this;

        /// <summary>Parses "0,1", "-1,1", "LO,HI" or "tensor".</summary>
        public static InputRange Parse(string s)
        {
            if (s == "tensor") return TensorRange;
            var parts = s.Split(',');
            if (parts.Length == 2
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double lo)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hi)
                && hi > lo)
                return new InputRange(lo, hi);
            throw new FormatException($"input range '{s}': expected LO,HI (e.g. 0,1 or -1,1) or 'tensor'");
        }

        public override string ToString() => IsTensorRange ? "tensor"
            : string.Create(CultureInfo.InvariantCulture, $"[{Lo:G6}, {Hi:G6}]");
    }

    /// <summary>
    /// Quantizes pixel values into an int8 (or uint8) input tensor through a 256-entry table computed once:
    /// real = Lo + (Hi − Lo)·v/255 and q = clamp(round_half_away_from_zero(real / scale) + zero_point, qmin, qmax),
    /// evaluated in double precision (the scale is the tensor's float32 value widened exactly). With the default
    /// range [0, 1] this is q = clamp(round(v / 255 / scale) + zp). Per pixel the work is one table load.
    /// </summary>
    public sealed class InputQuantizer
    {
        private readonly byte[] _table = new byte[256];

        public InputQuantizer(float scale, int zeroPoint, InputRange range, DType type = DType.Int8)
        {
            if (!(scale > 0) || float.IsInfinity(scale)) throw new ArgumentException($"input scale {scale} is not a positive number");
            if (type != DType.Int8 && type != DType.UInt8) throw new ArgumentException($"input type {TensorInfo.DTypeName(type)}: the camera pipeline feeds int8 or uint8 tensors");
            QMin = type == DType.Int8 ? -128 : 0;
            QMax = type == DType.Int8 ? 127 : 255;
            Scale = scale;
            ZeroPoint = zeroPoint;
            Range = range.Resolve(scale, zeroPoint, QMin, QMax);
            for (int v = 0; v < 256; v++) _table[v] = (byte)Quantize(v);
        }

        public float Scale { get; }
        public int ZeroPoint { get; }
        public int QMin { get; }
        public int QMax { get; }
        /// <summary>The concrete range (the tensor range already resolved).</summary>
        public InputRange Range { get; }

        /// <summary>The table: byte v → the quantized value's byte (int8 as two's complement).</summary>
        public ReadOnlySpan<byte> Table => _table;

        /// <summary>The formula itself (what the table holds for v), as an int in [QMin, QMax].</summary>
        public int Quantize(int v)
        {
            double real = Range.Lo + (Range.Hi - Range.Lo) * v / 255.0;
            double q = Math.Round(real / Scale, MidpointRounding.AwayFromZero) + ZeroPoint;
            return q < QMin ? QMin : q > QMax ? QMax : (int)q;
        }
    }
}
