using System.Reflection;
using System.Runtime.InteropServices;

[assembly: AssemblyTitle("EdgeEsp32")]
[assembly: AssemblyDescription("Edge INT8 runtime on ESP32 with .NET nanoFramework: MPU6050 window -> .edge model")]
[assembly: AssemblyProduct("Edge")]
[assembly: AssemblyCopyright("Edge contributors")]
[assembly: ComVisible(false)]
[assembly: AssemblyVersion("0.1.0.0")]
