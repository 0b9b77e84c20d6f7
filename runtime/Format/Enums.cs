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
        UInt32 = 5,
        UInt64 = 6,
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
        Cast = 23,
        Div = 24,
        Minimum = 25,
        Maximum = 26,
        SignalWindow = 27,
        SignalFftAutoScale = 28,
        SignalRfft = 29,
        SignalEnergy = 30,
        SignalFilterBank = 31,
        SignalFilterBankSquareRoot = 32,
        SignalFilterBankSpectralSubtraction = 33,
        SignalPcan = 34,
        SignalFilterBankLog = 35,
        QLinearConv = 36,
        QLinearMatMul = 37,
        QLinearBinary = 38,
        Lookup = 39,
        QLinearAveragePool = 40,
        QLinearSoftmax = 41,
        DynamicConv2D = 42,
        DynamicFullyConnected = 43,
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
        public const int IntegerArithmetic = 18;
        public const int SignalWindow = 19;
        public const int SignalRfft = 20;
        public const int SignalEnergy = 21;
        public const int SignalFilterBank = 22;
        public const int SignalSpectralSubtraction = 23;
        public const int SignalPcan = 24;
        public const int SignalFilterBankLog = 25;
        public const int QLinearConv = 26;
        public const int QLinearMatMul = 27;
        public const int QLinearBinary = 28;
        public const int Lookup = 29;
        public const int QLinearAveragePool = 30;
        public const int QLinearSoftmax = 31;
        public const int DynamicConv2D = 32;
        public const int DynamicFullyConnected = 33;
        public const int Count = 34;
    }
}
