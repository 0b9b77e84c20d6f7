namespace Edge.Runtime
{
    /// <summary>A tensor of a loaded model: type, shape, quantization and where its bytes live.</summary>
    public sealed class TensorInfo
    {
        public int Index;
        public string Name;
        public DType Type;
        public int[] Shape;
        /// <summary>Null when the tensor is not quantized.</summary>
        public float[] Scales;
        public int[] ZeroPoints;
        public int QuantizedDimension;
        /// <summary>True for weights/biases stored in the model file; false for activations in the arena.</summary>
        public bool IsConstant;
        /// <summary>Byte offset of the data: in the model file for constants, in the arena for activations.</summary>
        public int DataOffset;
        public int SizeBytes;
        public int ElementCount;

        public int Rank { get { return Shape.Length; } }

        /// <summary>Per-tensor scale (the first one for per-channel tensors); 0 when not quantized.</summary>
        public float Scale { get { return Scales == null || Scales.Length == 0 ? 0f : Scales[0]; } }

        /// <summary>Per-tensor zero point (the first one for per-channel tensors); 0 when not quantized.</summary>
        public int ZeroPoint { get { return ZeroPoints == null || ZeroPoints.Length == 0 ? 0 : ZeroPoints[0]; } }

        public bool IsPerChannel { get { return Scales != null && Scales.Length > 1; } }

        public static int ElementSize(DType t)
        {
            switch (t)
            {
                case DType.Int8:
                case DType.UInt8: return 1;
                case DType.Int16: return 2;
                case DType.UInt64: return 8;
                default: return 4;
            }
        }

        public static string DTypeName(DType t)
        {
            switch (t)
            {
                case DType.Int8: return "int8";
                case DType.UInt8: return "uint8";
                case DType.Int16: return "int16";
                case DType.Int32: return "int32";
                case DType.Float32: return "float32";
                case DType.UInt32: return "uint32";
                case DType.UInt64: return "uint64";
                default: return "unknown";
            }
        }

        /// <summary>Shape as text, e.g. "[1, 96, 96, 1]".</summary>
        public string ShapeText()
        {
            string s = "[";
            for (int i = 0; i < Shape.Length; i++)
            {
                if (i > 0) s = string.Concat(s, ", ");
                s = string.Concat(s, Shape[i].ToString());
            }
            return string.Concat(s, "]");
        }
    }
}
