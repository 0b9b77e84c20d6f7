namespace Edge.Runtime
{
    /// <summary>TFLite-style names of the op types (as printed by the CLI and used in messages).</summary>
    public static class OpNames
    {
        public static string Name(OpType t)
        {
            switch (t)
            {
                case OpType.Conv2D: return "CONV_2D";
                case OpType.DepthwiseConv2D: return "DEPTHWISE_CONV_2D";
                case OpType.FullyConnected: return "FULLY_CONNECTED";
                case OpType.Add: return "ADD";
                case OpType.Sub: return "SUB";
                case OpType.Mul: return "MUL";
                case OpType.AveragePool2D: return "AVERAGE_POOL_2D";
                case OpType.MaxPool2D: return "MAX_POOL_2D";
                case OpType.Reshape: return "RESHAPE";
                case OpType.Softmax: return "SOFTMAX";
                case OpType.Logistic: return "LOGISTIC";
                case OpType.Tanh: return "TANH";
                case OpType.Relu: return "RELU";
                case OpType.Relu6: return "RELU6";
                case OpType.LeakyRelu: return "LEAKY_RELU";
                case OpType.HardSwish: return "HARD_SWISH";
                case OpType.Pad: return "PAD";
                case OpType.Concatenation: return "CONCATENATION";
                case OpType.Mean: return "MEAN";
                case OpType.Quantize: return "QUANTIZE";
                case OpType.Dequantize: return "DEQUANTIZE";
                case OpType.Transpose: return "TRANSPOSE";
                case OpType.StridedSlice: return "STRIDED_SLICE";
                case OpType.Cast: return "CAST";
                case OpType.Div: return "DIV";
                case OpType.Minimum: return "MINIMUM";
                case OpType.Maximum: return "MAXIMUM";
                case OpType.SignalWindow: return "SignalWindow";
                case OpType.SignalFftAutoScale: return "SignalFftAutoScale";
                case OpType.SignalRfft: return "SignalRfft";
                case OpType.SignalEnergy: return "SignalEnergy";
                case OpType.SignalFilterBank: return "SignalFilterBank";
                case OpType.SignalFilterBankSquareRoot: return "SignalFilterBankSquareRoot";
                case OpType.SignalFilterBankSpectralSubtraction: return "SignalFilterBankSpectralSubtraction";
                case OpType.SignalPcan: return "SignalPCAN";
                case OpType.SignalFilterBankLog: return "SignalFilterBankLog";
                case OpType.QLinearConv: return "QLINEAR_CONV";
                case OpType.QLinearMatMul: return "QLINEAR_MATMUL";
                case OpType.QLinearBinary: return "QLINEAR_BINARY";
                case OpType.Lookup: return "LOOKUP";
                case OpType.QLinearAveragePool: return "QLINEAR_AVERAGE_POOL";
                case OpType.QLinearSoftmax: return "QLINEAR_SOFTMAX";
                case OpType.DynamicConv2D: return "DYNAMIC_CONV_2D";
                case OpType.DynamicFullyConnected: return "DYNAMIC_FULLY_CONNECTED";
                default: return "UNKNOWN";
            }
        }

        /// <summary>Number of op types this runtime knows (valid OpType values are 0 .. Count-1).</summary>
        public const int Count = 44;
    }
}
