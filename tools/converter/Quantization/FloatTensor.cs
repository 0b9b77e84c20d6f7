using System;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;

namespace Edge.Converter.Quantization
{
    /// <summary>
    /// A host-side tensor of the float executor: float32 values (<see cref="F"/>), or integer values
    /// (<see cref="L"/>: int64 shapes/pads/axes, int8/uint8 quantized data, int32 biases, bools) — exactly one is set.
    /// </summary>
    public sealed class FloatTensor
    {
        public int[] Shape { get; }
        public float[] F { get; }
        public long[] L { get; }
        /// <summary>The ONNX element type (Float for <see cref="F"/>; Int64/Int32/Int8/UInt8/Bool for <see cref="L"/>).</summary>
        public OnnxDataType Type { get; }

        public FloatTensor(int[] shape, float[] data)
        {
            Shape = shape; F = data; Type = OnnxDataType.Float;
            if (data.Length != Count(shape)) throw new ArgumentException($"{data.Length} values for shape [{string.Join(",", shape)}]");
        }

        public FloatTensor(int[] shape, long[] data, OnnxDataType type)
        {
            Shape = shape; L = data; Type = type;
            if (data.Length != Count(shape)) throw new ArgumentException($"{data.Length} values for shape [{string.Join(",", shape)}]");
        }

        public bool IsFloat => F != null;
        public int Length => F?.Length ?? L.Length;
        public int Rank => Shape.Length;

        public static int Count(int[] shape)
        {
            long n = 1;
            foreach (var d in shape) n *= d;
            return checked((int)n);
        }

        /// <summary>Element values as floats (integers converted).</summary>
        public float[] AsFloats() => F ?? L.Select(v => (float)v).ToArray();

        public static FloatTensor FromOnnx(OnnxTensor t)
        {
            var shape = t.Dims.Select(d => checked((int)d)).ToArray();
            return t.DataType switch
            {
                OnnxDataType.Float => new FloatTensor(shape, t.AsFloats()),
                OnnxDataType.Double => new FloatTensor(shape, Enumerable.Range(0, t.Data.Length / 8).Select(i => (float)BitConverter.ToDouble(t.Data, 8 * i)).ToArray()),
                OnnxDataType.Int64 or OnnxDataType.Int32 or OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Int16 or OnnxDataType.UInt16
                    => new FloatTensor(shape, t.AsInt64s(), t.DataType),
                OnnxDataType.Bool => new FloatTensor(shape, t.Data.Select(b => (long)(b != 0 ? 1 : 0)).ToArray(), OnnxDataType.Bool),
                _ => throw new ConversionException($"tensor '{t.Name}': element type {t.DataType} is not supported by the float executor"),
            };
        }

        public override string ToString() => $"{Type} [{string.Join(",", Shape)}]";
    }
}
