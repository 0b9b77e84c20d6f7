using System.Collections.Generic;
using Edge.Runtime;

namespace Edge.Converter.Ir
{
    /// <summary>
    /// The converter's in-memory form of a .edge model: what the front ends (TFLite, later ONNX) lower into,
    /// what the planner places, and what EdgeWriter serialises. Mirrors runtime/Format/edge.fbs one to one.
    /// </summary>
    public sealed class EdgeGraph
    {
        public List<EdgeTensor> Tensors { get; } = new();
        public List<EdgeOp> Ops { get; } = new();
        public List<int> Inputs { get; } = new();
        public List<int> Outputs { get; } = new();
        /// <summary>Set by the memory planner.</summary>
        public int ArenaBytes { get; set; }
        /// <summary>Notes from the front end for the user (not serialised), e.g. where a reference runtime computes differently.</summary>
        public List<string> Notes { get; } = new();
        public EdgeMetadata Metadata { get; set; } = new();
        /// <summary>Optional embedded self-test: input bytes per model input and the output bytes they must give.</summary>
        public EdgeSelfTest SelfTest { get; set; }
        /// <summary>Activations holding state across invokes (format 1.2 Model.state_tensors): live for the whole plan.</summary>
        public List<int> StateTensors { get; } = new();

        public int AddTensor(EdgeTensor t) { Tensors.Add(t); return Tensors.Count - 1; }
    }

    public sealed class EdgeTensor
    {
        public string Name { get; set; } = "";
        public DType DType { get; set; }
        public int[] Shape { get; set; } = System.Array.Empty<int>();
        /// <summary>Null or empty when the tensor is not quantized.</summary>
        public float[] Scales { get; set; }
        public int[] ZeroPoints { get; set; }
        public int QuantizedDimension { get; set; }
        /// <summary>Constant data (little-endian element bytes), or null for an activation.</summary>
        public byte[] Data { get; set; }
        /// <summary>Set by the memory planner for activations; -1 for constants.</summary>
        public int ArenaOffset { get; set; } = -1;

        public bool IsConstant => Data != null;
        public int ElementCount { get { long n = 1; foreach (var d in Shape) n *= d; return checked((int)n); } }
        public int SizeBytes => checked(ElementCount * ElementSize(DType));
        public float Scale => Scales != null && Scales.Length > 0 ? Scales[0] : 0f;
        public int ZeroPoint => ZeroPoints != null && ZeroPoints.Length > 0 ? ZeroPoints[0] : 0;

        public static int ElementSize(DType t) => t switch
        {
            DType.Int8 or DType.UInt8 => 1,
            DType.Int16 => 2,
            DType.UInt64 => 8,
            _ => 4,
        };
    }

    public sealed class EdgeOp
    {
        public OpType Type { get; set; }
        /// <summary>Tensor indices; -1 = absent optional input.</summary>
        public int[] Inputs { get; set; } = System.Array.Empty<int>();
        public int[] Outputs { get; set; } = System.Array.Empty<int>();
        /// <summary>Null for ops without options (Reshape).</summary>
        public OpOptions Options { get; set; }
        public long Macs { get; set; }
        /// <summary>Index of the source op in the original model (for messages); not serialised.</summary>
        public int SourceIndex { get; set; } = -1;
    }

    public sealed class EdgeSelfTest
    {
        /// <summary>One byte image per model input (its exact size), in model input order.</summary>
        public List<byte[]> Inputs { get; } = new();
        /// <summary>One byte image per model output, in model output order.</summary>
        public List<byte[]> Outputs { get; } = new();
    }

    public sealed class EdgeMetadata
    {
        public string SourceFormat { get; set; } = "";
        public string SourceFile { get; set; } = "";
        public string SourceSha256 { get; set; } = "";
        public string ConverterVersion { get; set; } = "";
        public long Macs { get; set; }
        /// <summary>Op type → count, in first-seen order.</summary>
        public List<KeyValuePair<OpType, int>> OpCounts { get; } = new();
    }

    // ---- Options: one class per schema table, fields in schema order (see runtime/Format/edge.fbs). ----

    public abstract class OpOptions
    {
        /// <summary>The schema's OpOptions union tag (Edge.Runtime.OptionsType).</summary>
        public abstract int UnionType { get; }
    }

    public sealed class Conv2DOptions : OpOptions
    {
        public override int UnionType => OptionsType.Conv2D;
        public int StrideW = 1, StrideH = 1, DilationW = 1, DilationH = 1;
        public int PadTop, PadLeft, PadBottom, PadRight;
        public int InputZeroPoint, OutputZeroPoint, ActMin, ActMax;
        public int[] OutputMultiplier = System.Array.Empty<int>();
        public int[] OutputShift = System.Array.Empty<int>();
    }

    public sealed class DepthwiseConv2DOptions : OpOptions
    {
        public override int UnionType => OptionsType.DepthwiseConv2D;
        public int StrideW = 1, StrideH = 1, DilationW = 1, DilationH = 1;
        public int PadTop, PadLeft, PadBottom, PadRight;
        public int DepthMultiplier = 1;
        public int InputZeroPoint, OutputZeroPoint, ActMin, ActMax;
        public int[] OutputMultiplier = System.Array.Empty<int>();
        public int[] OutputShift = System.Array.Empty<int>();
    }

    public sealed class FullyConnectedOptions : OpOptions
    {
        public override int UnionType => OptionsType.FullyConnected;
        public int InputZeroPoint, OutputZeroPoint, ActMin, ActMax;
        public int[] OutputMultiplier = System.Array.Empty<int>();
        public int[] OutputShift = System.Array.Empty<int>();
    }

    public sealed class AddSubOptions : OpOptions
    {
        public override int UnionType => OptionsType.AddSub;
        public int LeftShift;
        public int Input1Offset, Input1Multiplier, Input1Shift;
        public int Input2Offset, Input2Multiplier, Input2Shift;
        public int OutputOffset, OutputMultiplier, OutputShift;
        public int ActMin, ActMax;
    }

    public sealed class MulOptions : OpOptions
    {
        public override int UnionType => OptionsType.Mul;
        public int Input1Offset, Input2Offset, OutputOffset, OutputMultiplier, OutputShift, ActMin, ActMax;
    }

    public sealed class Pool2DOptions : OpOptions
    {
        public override int UnionType => OptionsType.Pool2D;
        public int StrideW = 1, StrideH = 1, FilterW = 1, FilterH = 1;
        public int PadTop, PadLeft, PadBottom, PadRight;
        public int ActMin, ActMax;
    }

    public sealed class SoftmaxOptions : OpOptions
    {
        public override int UnionType => OptionsType.Softmax;
        public int InputMultiplier, InputLeftShift, DiffMin;
    }

    public sealed class SigmoidTanhOptions : OpOptions
    {
        public override int UnionType => OptionsType.SigmoidTanh;
        public int InputZeroPoint, InputRangeRadius, InputMultiplier, InputLeftShift;
    }

    public sealed class RequantizeOptions : OpOptions
    {
        public override int UnionType => OptionsType.Requantize;
        public int InputOffset, OutputOffset, OutputMultiplier, OutputShift, ActMin, ActMax;
    }

    public sealed class LeakyReluOptions : OpOptions
    {
        public override int UnionType => OptionsType.LeakyRelu;
        public int InputOffset, OutputOffset;
        public int OutputMultiplierIdentity, OutputShiftIdentity, OutputMultiplierAlpha, OutputShiftAlpha;
    }

    public sealed class HardSwishOptions : OpOptions
    {
        public override int UnionType => OptionsType.HardSwish;
        public int InputZeroPoint, OutputZeroPoint;
        public int ReluishMultiplierFixedpointInt16, ReluishMultiplierExponent;
        public int OutputMultiplierFixedpointInt16, OutputMultiplierExponent;
    }

    public sealed class PadOptions : OpOptions
    {
        public override int UnionType => OptionsType.Pad;
        public int[] Paddings = System.Array.Empty<int>();
        public int PadValue;
    }

    public sealed class ConcatenationOptions : OpOptions
    {
        public override int UnionType => OptionsType.Concatenation;
        public int Axis;
        public bool Requantize;
        public float[] InputScale = System.Array.Empty<float>();
        public int[] InputZeroPoint = System.Array.Empty<int>();
        public float OutputScale;
        public int OutputZeroPoint;
    }

    public sealed class MeanOptions : OpOptions
    {
        public override int UnionType => OptionsType.Mean;
        public int[] Axes = System.Array.Empty<int>();
        public bool KeepDims;
        public int InputZeroPoint, OutputZeroPoint, Multiplier, Shift;
        public bool SameQuantization;
    }

    public sealed class AffineQuantizeOptions : OpOptions
    {
        public override int UnionType => OptionsType.AffineQuantize;
        public float Scale;
        public int ZeroPoint;
        /// <summary>Format 1.2: RequantRule.OnnxRuntimeFloat selects ONNX QuantizeLinear/DequantizeLinear with Scales/ZeroPoints/Axis.</summary>
        public RequantRuleKind RequantRule = RequantRuleKind.TfliteFixedPoint;
        public float[] Scales = System.Array.Empty<float>();
        public int[] ZeroPoints = System.Array.Empty<int>();
        public int Axis;

        /// <summary>True when any format-1.2 field is set (the writer then emits them; TFLite files keep the 1.1 table).</summary>
        public bool HasOnnxFields => RequantRule != RequantRuleKind.TfliteFixedPoint || (Scales != null && Scales.Length > 0)
                                     || (ZeroPoints != null && ZeroPoints.Length > 0) || Axis != 0;
    }

    /// <summary>The schema's RequantRule enum (values = Edge.Runtime.RequantRule constants).</summary>
    public enum RequantRuleKind : byte
    {
        TfliteFixedPoint = 0,
        OnnxRuntimeFloat = 1,
    }

    /// <summary>Format 1.2: ONNX QLinearConv / ConvInteger (see QLinearConvOptions in edge.fbs).</summary>
    public sealed class QLinearConvOptions : OpOptions
    {
        public override int UnionType => OptionsType.QLinearConv;
        public int StrideW = 1, StrideH = 1, DilationW = 1, DilationH = 1;
        public int PadTop, PadLeft, PadBottom, PadRight;
        public int Group = 1;
        public int InputZeroPoint;
        public int[] WeightZeroPoint = System.Array.Empty<int>();
        public RequantRuleKind RequantRule = RequantRuleKind.OnnxRuntimeFloat;
        public float[] OutputScale = System.Array.Empty<float>();
        public int OutputZeroPoint, ActMin, ActMax;
        public bool PairSaturation;
    }

    /// <summary>Format 1.2: ONNX QLinearMatMul / MatMulInteger / Gemm (see QLinearMatMulOptions in edge.fbs).</summary>
    public sealed class QLinearMatMulOptions : OpOptions
    {
        public override int UnionType => OptionsType.QLinearMatMul;
        public int InputZeroPoint;
        public int[] WeightZeroPoint = System.Array.Empty<int>();
        public RequantRuleKind RequantRule = RequantRuleKind.OnnxRuntimeFloat;
        public float[] OutputScale = System.Array.Empty<float>();
        public int OutputZeroPoint, ActMin, ActMax;
        public bool PairSaturation;
    }

    /// <summary>Format 1.2: ONNX Runtime's QLinearAdd / QLinearMul (see QLinearBinaryOptions in edge.fbs).</summary>
    public sealed class QLinearBinaryOptions : OpOptions
    {
        public override int UnionType => OptionsType.QLinearBinary;
        public int Kind, Shift, ZeroPointA, ZeroPointB;
        public float RatioA, RatioB, Fixed;
    }

    /// <summary>Format 1.2: 256-entry byte table (see LookupOptions in edge.fbs).</summary>
    public sealed class LookupOptions : OpOptions
    {
        public override int UnionType => OptionsType.Lookup;
        public int[] Table = System.Array.Empty<int>();
    }

    /// <summary>Format 1.2: ONNX Runtime's QLinearAveragePool (see QLinearAveragePoolOptions in edge.fbs).</summary>
    public sealed class QLinearAveragePoolOptions : OpOptions
    {
        public override int UnionType => OptionsType.QLinearAveragePool;
        public int StrideW = 1, StrideH = 1, FilterW = 1, FilterH = 1;
        public int PadTop, PadLeft, PadBottom, PadRight;
        public bool CountIncludePad;
        public float InputScale;
        public int InputZeroPoint;
        public float OutputScale;
        public int OutputZeroPoint, Shift;
    }

    /// <summary>Format 1.2: ONNX Runtime's QLinearSoftmax (see QLinearSoftmaxOptions in edge.fbs).</summary>
    public sealed class QLinearSoftmaxOptions : OpOptions
    {
        public override int UnionType => OptionsType.QLinearSoftmax;
        public float[] Table = System.Array.Empty<float>();
        public float OutputMultiplier;
        public int OutputZeroPoint;
    }

    /// <summary>Format 1.2: DYNAMIC_CONV_2D (see DynamicConv2DOptions in edge.fbs).</summary>
    public sealed class DynamicConv2DOptions : OpOptions
    {
        public override int UnionType => OptionsType.DynamicConv2D;
        public int StrideW = 1, StrideH = 1, DilationW = 1, DilationH = 1;
        public int PadTop, PadLeft, PadBottom, PadRight, Group = 1;
        public float[] WeightScale = System.Array.Empty<float>();
        public float ActMin = -float.MaxValue, ActMax = float.MaxValue;
    }

    /// <summary>Format 1.2: DYNAMIC_FULLY_CONNECTED (see DynamicFullyConnectedOptions in edge.fbs).</summary>
    public sealed class DynamicFullyConnectedOptions : OpOptions
    {
        public override int UnionType => OptionsType.DynamicFullyConnected;
        public float[] WeightScale = System.Array.Empty<float>();
        public float ActMin = -float.MaxValue, ActMax = float.MaxValue;
    }

    public sealed class TransposeOptions : OpOptions
    {
        public override int UnionType => OptionsType.Transpose;
        public int[] Perm = System.Array.Empty<int>();
    }

    public sealed class StridedSliceOptions : OpOptions
    {
        public override int UnionType => OptionsType.StridedSlice;
        public int[] Begin = System.Array.Empty<int>();
        public int[] End = System.Array.Empty<int>();
        public int[] Strides = System.Array.Empty<int>();
    }

    // ---- 1.2: audio front end ----

    public sealed class IntegerArithmeticOptions : OpOptions
    {
        public override int UnionType => OptionsType.IntegerArithmetic;
        public int ActMin = int.MinValue, ActMax = int.MaxValue;
    }

    public sealed class SignalWindowOptions : OpOptions
    {
        public override int UnionType => OptionsType.SignalWindow;
        public int Shift;
    }

    public sealed class SignalRfftOptions : OpOptions
    {
        public override int UnionType => OptionsType.SignalRfft;
        public int FftLength;
        public int[] Factors = System.Array.Empty<int>();
        public int[] Twiddles = System.Array.Empty<int>();
        public int[] SuperTwiddles = System.Array.Empty<int>();
    }

    public sealed class SignalEnergyOptions : OpOptions
    {
        public override int UnionType => OptionsType.SignalEnergy;
        public int StartIndex, EndIndex;
    }

    public sealed class SignalFilterBankOptions : OpOptions
    {
        public override int UnionType => OptionsType.SignalFilterBank;
        public int NumChannels;
    }

    public sealed class SignalSpectralSubtractionOptions : OpOptions
    {
        public override int UnionType => OptionsType.SignalSpectralSubtraction;
        public int NumChannels, Smoothing, OneMinusSmoothing, AlternateSmoothing, AlternateOneMinusSmoothing;
        public int SmoothingBits, SpectralSubtractionBits, MinSignalRemaining;
        public bool Clamping;
    }

    public sealed class SignalPcanOptions : OpOptions
    {
        public override int UnionType => OptionsType.SignalPcan;
        public int SnrShift;
    }

    public sealed class SignalFilterBankLogOptions : OpOptions
    {
        public override int UnionType => OptionsType.SignalFilterBankLog;
        public int InputCorrectionBits, OutputScale;
    }
}
