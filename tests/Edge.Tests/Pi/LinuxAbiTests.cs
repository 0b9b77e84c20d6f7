using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Edge.Pi.Cli;
using Edge.Pi.Devices;
using Edge.Pi.Linux;
using Xunit;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// Compiles and runs a C program generated from the C# declarations: for every [CType] struct its sizeof and,
    /// for every field, offsetof and sizeof; for every [CConstants] field (ioctl numbers included) its value —
    /// all taken from the real kernel headers (Debian's linux-libc-dev) by the C compiler.
    /// </summary>
    public static class KernelHeaders
    {
        private static readonly Assembly PiAssembly = typeof(V4l2FrameSource).Assembly;

        public static Type[] Structs => PiAssembly.GetTypes().Where(t => t.GetCustomAttribute<CTypeAttribute>() != null).OrderBy(t => t.Name).ToArray();
        public static Type[] ConstantClasses => PiAssembly.GetTypes().Where(t => t.GetCustomAttribute<CConstantsAttribute>() != null).OrderBy(t => t.Name).ToArray();

        public static FieldInfo[] Fields(Type t) => t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

        public static string Designator(FieldInfo f) => f.GetCustomAttribute<CFieldAttribute>()?.Designator ?? f.Name;

        public static IEnumerable<FieldInfo> Constants(Type t) =>
            t.GetFields(BindingFlags.Static | BindingFlags.Public)
             .Where(f => (f.IsLiteral || f.IsInitOnly) && f.Name.All(c => char.IsUpper(c) || char.IsDigit(c) || c == '_')
                         && (f.FieldType == typeof(int) || f.FieldType == typeof(uint) || f.FieldType == typeof(short) || f.FieldType == typeof(ushort) || f.FieldType == typeof(ulong)));

        public static string Program()
        {
            var headers = new SortedSet<string>(StringComparer.Ordinal) { "stdio.h", "stddef.h", "sys/time.h" };
            foreach (var c in ConstantClasses) foreach (var h in c.GetCustomAttribute<CConstantsAttribute>().Headers) headers.Add(h);
            var sb = new StringBuilder();
            foreach (var h in headers) sb.Append("#include <").Append(h).Append(">\n");
            sb.Append("int main(void) {\n");
            foreach (var t in Structs)
            {
                string c = t.GetCustomAttribute<CTypeAttribute>().Name;
                sb.Append($"  printf(\"S|{c}|%zu\\n\", sizeof({c}));\n");
                foreach (var f in Fields(t))
                {
                    string d = Designator(f);
                    sb.Append($"  printf(\"F|{c}|{d}|%zu|%zu\\n\", offsetof({c}, {d}), sizeof((({c} *)0)->{d}));\n");
                }
            }
            foreach (var t in ConstantClasses)
                foreach (var f in Constants(t))
                    sb.Append($"  printf(\"C|{f.Name}|%llu\\n\", (unsigned long long)({f.Name}));\n");
            sb.Append("  return 0;\n}\n");
            return sb.ToString();
        }

        private static readonly Lazy<(Dictionary<string, ulong> Values, string Error)> _result = new(Run);

        /// <summary>"S|struct x" → size, "F|struct x|field" → offset, "Z|struct x|field" → size, "C|NAME" → value.</summary>
        public static Dictionary<string, ulong> Values => _result.Value.Values ?? throw new InvalidOperationException(_result.Value.Error);

        public static string Unavailable => Cc() == null ? "cc not found on PATH: kernel-header ABI tests skipped (apt-get install gcc)"
            : !HeadersPresent() ? "Linux kernel headers not found (apt-get install linux-libc-dev): kernel-header ABI tests skipped" : null;

        public static string Cc()
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(Path.Combine(dir, "cc"))) return Path.Combine(dir, "cc");
            return null;
        }

        private static bool HeadersPresent()
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-abi-probe-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                File.WriteAllText(Path.Combine(dir, "p.c"), "#include <linux/videodev2.h>\n#include <linux/gpio.h>\n#include <linux/i2c.h>\n#include <linux/i2c-dev.h>\nint main(void){return 0;}\n");
                return Exec(Cc(), $"-fsyntax-only {Path.Combine(dir, "p.c")}", out _, out _) == 0;
            }
            finally { Directory.Delete(dir, true); }
        }

        private static (Dictionary<string, ulong>, string) Run()
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-abi-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string src = Path.Combine(dir, "abi.c"), exe = Path.Combine(dir, "abi");
                File.WriteAllText(src, Program());
                if (Exec(Cc(), $"-std=gnu11 -Wall -o {exe} {src}", out _, out string err) != 0) return (null, "cc failed:\n" + err);
                if (Exec(exe, "", out string output, out err) != 0) return (null, "abi program failed:\n" + err);
                var d = new Dictionary<string, ulong>(StringComparer.Ordinal);
                foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var p = line.Split('|');
                    switch (p[0])
                    {
                        case "S": d["S|" + p[1]] = ulong.Parse(p[2], CultureInfo.InvariantCulture); break;
                        case "F":
                            d["F|" + p[1] + "|" + p[2]] = ulong.Parse(p[3], CultureInfo.InvariantCulture);
                            d["Z|" + p[1] + "|" + p[2]] = ulong.Parse(p[4], CultureInfo.InvariantCulture);
                            break;
                        case "C": d["C|" + p[1]] = ulong.Parse(p[2], CultureInfo.InvariantCulture); break;
                    }
                }
                return (d, null);
            }
            finally { Directory.Delete(dir, true); }
        }

        private static int Exec(string file, string args, out string stdout, out string stderr)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            var errTask = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            stderr = errTask.Result;
            return p.ExitCode;
        }
    }

    /// <summary>A fact that needs cc and the Linux kernel headers; skips with a visible message otherwise.</summary>
    public sealed class KernelHeadersFactAttribute : FactAttribute
    {
        private static readonly Lazy<string> _why = new(() => OperatingSystem.IsLinux() ? KernelHeaders.Unavailable : "not Linux: kernel-header ABI tests skipped");
        public KernelHeadersFactAttribute() { if (_why.Value != null) Skip = _why.Value; }
    }

    /// <summary>A fact that calls libc on a 64-bit Linux process.</summary>
    public sealed class Linux64FactAttribute : FactAttribute
    {
        public Linux64FactAttribute()
        {
            if (!OperatingSystem.IsLinux() || IntPtr.Size != 8) Skip = "needs 64-bit Linux: libc device tests skipped";
        }
    }

    public class LinuxAbiTests
    {
        private static readonly string[] RequiredStructs =
        {
            "struct v4l2_capability", "struct v4l2_format", "struct v4l2_pix_format", "struct v4l2_requestbuffers", "struct v4l2_buffer",
            "struct v4l2_timecode", "struct timeval", "struct gpio_v2_line_request", "struct gpio_v2_line_config",
            "struct gpio_v2_line_config_attribute", "struct gpio_v2_line_attribute", "struct gpio_v2_line_values",
            "struct i2c_msg", "struct i2c_rdwr_ioctl_data", "struct pollfd",
        };

        private static readonly string[] RequiredIoctls =
        {
            "VIDIOC_QUERYCAP", "VIDIOC_S_FMT", "VIDIOC_G_FMT", "VIDIOC_REQBUFS", "VIDIOC_QUERYBUF", "VIDIOC_QBUF", "VIDIOC_DQBUF",
            "VIDIOC_STREAMON", "VIDIOC_STREAMOFF", "GPIO_V2_GET_LINE_IOCTL", "GPIO_V2_LINE_SET_VALUES_IOCTL", "I2C_SLAVE", "I2C_RDWR",
        };

        private static int FieldSize(FieldInfo f)
        {
            var fixedBuf = f.GetCustomAttribute<FixedBufferAttribute>();
            if (fixedBuf != null) return Marshal.SizeOf(fixedBuf.ElementType) * fixedBuf.Length;
            if (f.FieldType.IsPointer) return IntPtr.Size;
            return Marshal.SizeOf(f.FieldType);
        }

        [KernelHeadersFact]
        public void EveryStructSizeFieldOffsetAndFieldSizeMatchesTheKernelHeaders()
        {
            var v = KernelHeaders.Values;
            var bad = new List<string>();
            int checkedFields = 0;
            foreach (var t in KernelHeaders.Structs)
            {
                string c = t.GetCustomAttribute<CTypeAttribute>().Name;
                int marshalSize = Marshal.SizeOf(t);
                int managedSize = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;
                if ((ulong)marshalSize != v["S|" + c]) bad.Add($"sizeof({c}) = {v["S|" + c]}, Marshal.SizeOf({t.Name}) = {marshalSize}");
                if (managedSize != marshalSize) bad.Add($"{t.Name}: Unsafe.SizeOf {managedSize} != Marshal.SizeOf {marshalSize}");
                var cFields = v.Keys.Where(k => k.StartsWith("F|" + c + "|", StringComparison.Ordinal)).ToList();
                foreach (var f in KernelHeaders.Fields(t))
                {
                    string d = KernelHeaders.Designator(f);
                    ulong off = v["F|" + c + "|" + d], size = v["Z|" + c + "|" + d];
                    int csOff = Marshal.OffsetOf(t, f.Name).ToInt32();
                    if ((ulong)csOff != off) bad.Add($"offsetof({c}, {d}) = {off}, C# {t.Name}.{f.Name} at {csOff}");
                    if ((ulong)FieldSize(f) != size) bad.Add($"sizeof({c}.{d}) = {size}, C# {t.Name}.{f.Name} is {FieldSize(f)} bytes");
                    checkedFields++;
                }
            }
            Assert.True(bad.Count == 0, string.Join("\n", bad));
            var declared = KernelHeaders.Structs.Select(t => t.GetCustomAttribute<CTypeAttribute>().Name).ToHashSet();
            foreach (var s in RequiredStructs) Assert.Contains(s, declared);
            Assert.True(checkedFields >= 80, $"only {checkedFields} fields checked");
        }

        [KernelHeadersFact]
        public void TheSizesTheBriefStatesForThe64BitAbiHold()
        {
            // Cross-check of the header program itself with the documented 64-bit sizes.
            var v = KernelHeaders.Values;
            Assert.Equal(208ul, v["S|struct v4l2_format"]);
            Assert.Equal(88ul, v["S|struct v4l2_buffer"]);
            Assert.Equal(592ul, v["S|struct gpio_v2_line_request"]);
            Assert.Equal(16ul, v["S|struct i2c_msg"]);
            Assert.Equal(88, Marshal.SizeOf<v4l2_buffer>());
            Assert.Equal(208, Marshal.SizeOf<v4l2_format>());
        }

        [KernelHeadersFact]
        public void EveryConstantAndIoctlNumberMatchesTheKernelHeaders()
        {
            var v = KernelHeaders.Values;
            var bad = new List<string>();
            var names = new List<string>();
            foreach (var t in KernelHeaders.ConstantClasses)
                foreach (var f in KernelHeaders.Constants(t))
                {
                    ulong cs = Convert.ToUInt64(f.GetValue(null), CultureInfo.InvariantCulture);
                    ulong c = v["C|" + f.Name];
                    if (cs != c) bad.Add($"{f.Name} = 0x{c:X}, C# {t.Name}.{f.Name} = 0x{cs:X}");
                    names.Add(f.Name);
                }
            Assert.True(bad.Count == 0, string.Join("\n", bad));
            foreach (var n in RequiredIoctls) Assert.Contains(n, names);
        }

        [Fact]
        public void TheIocEncodingPacksDirectionSizeTypeAndNumber()
        {
            // asm-generic/ioctl.h: dir << 30 | size << 16 | type << 8 | nr
            Assert.Equal(0xC0585611u, Ioc.IOC(Ioc.Read | Ioc.Write, 'V', 17, 88));
            Assert.Equal(0x40045612u, Ioc.IOC(Ioc.Write, 'V', 18, 4));
            Assert.Equal(0x80685600u, Ioc.IOC(Ioc.Read, 'V', 0, 104));
            Assert.Throws<ArgumentOutOfRangeException>(() => Ioc.IOC(Ioc.Read, 'V', 0, 1 << 14));
        }

        [Theory]
        [InlineData("gpiochip0:17", "/dev/gpiochip0", 17)]
        [InlineData("0:17", "/dev/gpiochip0", 17)]
        [InlineData("4:5", "/dev/gpiochip4", 5)]
        [InlineData("gpiochip12:0", "/dev/gpiochip12", 0)]
        [InlineData("/dev/gpiochip1:27", "/dev/gpiochip1", 27)]
        public void GpioSpecsParse(string spec, string path, int line)
        {
            var (p, l) = LinuxGpioOutput.ParseSpec(spec);
            Assert.Equal(path, p);
            Assert.Equal(line, l);
        }

        [Theory]
        [InlineData("17")]
        [InlineData("gpiochip0")]
        [InlineData(":17")]
        [InlineData("0:")]
        [InlineData("0:-1")]
        [InlineData("chip0:17")]
        [InlineData("gpiochip:17")]
        [InlineData("0:x")]
        public void BadGpioSpecsAreRejected(string spec)
        {
            Assert.Throws<FormatException>(() => LinuxGpioOutput.ParseSpec(spec));
        }

        // The Linux devices against nodes that exist on any Linux host: a missing node fails at open with ENOENT,
        // /dev/null fails at the first ioctl with ENOTTY. This runs the real libc calls and the errno → message path.

        [Linux64Fact]
        public void AMissingDeviceNodeIsADeviceExceptionWithTheErrnoText()
        {
            var e = Assert.Throws<DeviceException>(() => new V4l2FrameSource("/dev/edge-no-such-video", 320, 240, PixelFormat.Yuyv));
            Assert.Contains("/dev/edge-no-such-video", e.Message);
            Assert.Contains("No such file or directory", e.Message);
            Assert.Contains("errno 2", e.Message);
            e = Assert.Throws<DeviceException>(() => new LinuxI2cDevice(99, 0x68, "/dev/edge-no-such-i2c"));
            Assert.Contains("No such file or directory", e.Message);
            e = Assert.Throws<DeviceException>(() => new LinuxGpioOutput("/dev/edge-no-such-gpiochip", 17));
            Assert.Contains("No such file or directory", e.Message);
        }

        [Linux64Fact]
        public void ANodeThatIsNotTheRightDeviceFailsAtItsFirstIoctl()
        {
            var e = Assert.Throws<DeviceException>(() => new V4l2FrameSource("/dev/null", 320, 240, PixelFormat.Grey));
            Assert.Contains("VIDIOC_QUERYCAP", e.Message);
            Assert.Contains("Inappropriate ioctl for device", e.Message);
            Assert.Contains("errno 25", e.Message);
            e = Assert.Throws<DeviceException>(() => new LinuxI2cDevice(1, 0x68, "/dev/null"));
            Assert.Contains("I2C_SLAVE 0x68", e.Message);
            Assert.Contains("Inappropriate ioctl for device", e.Message);
            e = Assert.Throws<DeviceException>(() => new LinuxGpioOutput("/dev/null", 17));
            Assert.Contains("GPIO_V2_GET_LINE_IOCTL line 17", e.Message);
            Assert.Contains("Inappropriate ioctl for device", e.Message);
        }
    }
}
