namespace Edge.Runtime
{
    /// <summary>Element type of a tensor. Values are the .edge schema's DType (runtime/Format/edge.fbs).</summary>
    public enum DType : byte
    {
        Int8 = 0,
        UInt8 = 1,
        Int16 = 2,
        Int32 = 3,
        Float32 = 4,
    }

    /// <summary>Operator type. Values are the .edge schema's OpType (runtime/Format/edge.fbs).</summary>
    public enum OpType : ushort
    {
        Conv2D = 0,
        DepthwiseConv2D = 1,
        FullyConnected = 2,
        Add = 3,
        Sub = 4,
        Mul = 5,
        AveragePool2D = 6,
        MaxPool2D = 7,
        Reshape = 8,
        Softmax = 9,
        Logistic = 10,
        Tanh = 11,
        Relu = 12,
        Relu6 = 13,
        LeakyRelu = 14,
        HardSwish = 15,
        Pad = 16,
        Concatenation = 17,
        Mean = 18,
        Quantize = 19,
        Dequantize = 20,
        Transpose = 21,
        StridedSlice = 22,
        QLinearConv = 23,
        QLinearMatMul = 24,
        QLinearBinary = 25,
        Lookup = 26,
        QLinearAveragePool = 27,
        QLinearSoftmax = 28,
    }

    /// <summary>The schema's RequantRule: which requantization rule an op applies (format 1.2).</summary>
    public static class RequantRule
    {
        /// <summary>TFLite / TFLite Micro fixed point (every TFLite-derived op).</summary>
        public const int TfliteFixedPoint = 0;
        /// <summary>ONNX Runtime's float rule: float32 scale, round half to even.</summary>
        public const int OnnxRuntimeFloat = 1;
    }

    /// <summary>Union tag values of the schema's OpOptions union (0 = NONE).</summary>
    public static class OptionsType
    {
        public const int None = 0;
        public const int Conv2D = 1;
        public const int DepthwiseConv2D = 2;
        public const int FullyConnected = 3;
        public const int AddSub = 4;
        public const int Mul = 5;
        public const int Pool2D = 6;
        public const int Softmax = 7;
        public const int SigmoidTanh = 8;
        public const int Requantize = 9;
        public const int LeakyRelu = 10;
        public const int HardSwish = 11;
        public const int Pad = 12;
        public const int Concatenation = 13;
        public const int Mean = 14;
        public const int AffineQuantize = 15;
        public const int Transpose = 16;
        public const int StridedSlice = 17;
        public const int QLinearConv = 18;
        public const int QLinearMatMul = 19;
        public const int QLinearBinary = 20;
        public const int Lookup = 21;
        public const int QLinearAveragePool = 22;
        public const int QLinearSoftmax = 23;
        public const int Count = 24;
    }
}
