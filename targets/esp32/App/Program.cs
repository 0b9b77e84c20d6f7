using System;
using System.Device.I2c;
using System.Diagnostics;
using System.Threading;
using Edge.Esp32;
using Edge.Runtime;
using nanoFramework.Hardware.Esp32;

namespace Edge.Esp32.App
{
    /// <summary>
    /// Boot: load the .edge model embedded as a resource, run its self-test, set up I2C and the MPU6050, then
    /// loop: sample at ~100 Hz, run the model every <see cref="Hop"/> samples once the window is full, print
    /// the outputs and the ticks per inference. All logic lives in Core/ (compiled and tested on .NET 10 by
    /// tests/Edge.Esp32.HostTests); this file only binds it to the board.
    /// </summary>
    public class Program
    {
        // Wiring (README.md): MPU6050 SDA → GPIO21, SCL → GPIO22, VCC → 3V3, GND → GND, AD0 → GND (address 0x68).
        private const int SdaPin = 21;
        private const int SclPin = 22;
        private const int I2cBusId = 1;

        /// <summary>
        /// Preferred features per frame: 1, 3 (accelerometer) or 6 (accelerometer + gyroscope). Used when the
        /// model input splits into frames of that size (ImuInference.ChooseChannels), else 3, else 1 — the
        /// sample sine model ([1, 1]) gets 1: accelerometer X in g.
        /// </summary>
        private const int PreferredChannels = 3;
        /// <summary>Run the model every Hop new samples (with 100 Hz sampling: 4 times a second).</summary>
        private const int Hop = 25;
        /// <summary>SMPLRT_DIV: 1 kHz / (1 + 9) = 100 Hz.</summary>
        private const int SampleRateDivider = 9;
        private const int LoopSleepMs = 10;
        /// <summary>Print timing statistics every this many inferences.</summary>
        private const int StatsEvery = 20;

        public static void Main()
        {
            Debug.WriteLine("Edge on ESP32 (.NET nanoFramework, reference kernels)");
            Debug.WriteLine(string.Concat("managed heap free at boot: ", nanoFramework.Runtime.Native.GC.Run(true).ToString(), " bytes"));

            // The .edge file, embedded with Resources.resx (see README.md): ResourceUtility copies it from flash
            // into one byte[] on the managed heap; the runtime reads constants from that array in place.
            byte[] file = Resources.GetBytes(Resources.BinaryResources.model);
            EdgeModel model;
            try
            {
                model = EdgeModel.Load(file);
            }
            catch (EdgeFormatException e)
            {
                Debug.WriteLine(string.Concat("model rejected by the verifier: ", e.Message));
                return;
            }
            Debug.WriteLine(ResultFormatter.ModelLine(model));
            Interpreter interpreter = new Interpreter(model, new byte[model.ArenaBytes]);
            Debug.WriteLine(string.Concat("managed heap free after load: ", nanoFramework.Runtime.Native.GC.Run(true).ToString(), " bytes"));

            UtcTickClock clock = new UtcTickClock();
            if (model.HasSelfTest)
            {
                long t0 = clock.Ticks();
                SelfTestResult r = interpreter.SelfTest();
                long t1 = clock.Ticks();
                Debug.WriteLine(ResultFormatter.SelfTestLine(r));
                Debug.WriteLine(string.Concat("self-test inference: ", (t1 - t0).ToString(), " ticks (", Text.Milli((t1 - t0) * 1000 / clock.TicksPerMillisecond), " ms)"));
            }
            else
            {
                Debug.WriteLine(ResultFormatter.SelfTestLine(interpreter.SelfTest()));
            }

            Configuration.SetPinFunction(SdaPin, DeviceFunction.I2C1_DATA);
            Configuration.SetPinFunction(SclPin, DeviceFunction.I2C1_CLOCK);
            I2cDevice device = I2cDevice.Create(new I2cConnectionSettings(I2cBusId, Mpu6050.DefaultAddress, I2cBusSpeed.FastMode));
            Mpu6050 sensor = new Mpu6050(new I2cRegisterBus(device));
            ImuInference pipeline;
            try
            {
                Debug.WriteLine(string.Concat("MPU6050 WHO_AM_I = ", sensor.ReadWhoAmI().ToString()));
                sensor.Initialize(SampleRateDivider);
                pipeline = new ImuInference(interpreter, sensor, clock, ImuInference.ChooseChannels(interpreter.Input(0), PreferredChannels), Hop);
            }
            catch (Exception e)
            {
                Debug.WriteLine(string.Concat("sensor/pipeline setup failed: ", e.Message));
                Thread.Sleep(Timeout.Infinite);
                return;
            }
            Debug.WriteLine(string.Concat("window: ", pipeline.Window.Frames.ToString(), " frames x ", pipeline.Channels.ToString(), " features, inference every ", Hop.ToString(), " samples"));

            while (true)
            {
                bool ran;
                try
                {
                    ran = pipeline.Step();
                }
                catch (SensorException e)
                {
                    Debug.WriteLine(e.Message);
                    Thread.Sleep(1000);
                    continue;
                }
                if (ran)
                {
                    for (int o = 0; o < interpreter.OutputCount; o++)
                        Debug.WriteLine(ResultFormatter.FormatOutput(interpreter, o, null));
                    Debug.WriteLine(string.Concat("inference: ", pipeline.Timing.Last.ToString(), " ticks"));
                    if (pipeline.Timing.Count % StatsEvery == 0)
                        Debug.WriteLine(pipeline.Timing.Summary(clock.TicksPerMillisecond));
                }
                Thread.Sleep(LoopSleepMs);
            }
        }
    }
}
