/* A stand-in for libnvidia-ml: exports the NVML functions soma uses and plays back
 * readings scripted in the environment variable SOMA_FAKE_NVML, re-read at nvmlInit:
 *
 *   gpus=2;power_mw=100000,200000|50000;energy_mj=0,150000;init=fail;energy=unsupported
 *
 * power_mw and energy_mj hold one comma list per GPU separated by '|' (a GPU without its
 * own list uses the last one); each call returns the next value and then repeats the last.
 * init=fail makes nvmlInit return NVML_ERROR_DRIVER_NOT_LOADED; energy=unsupported makes
 * nvmlDeviceGetTotalEnergyConsumption return NVML_ERROR_NOT_SUPPORTED. */
#include <stdlib.h>
#include <string.h>

#define MAX_GPUS 4
#define MAX_VALUES 64

enum { SUCCESS = 0, NOT_SUPPORTED = 3, INVALID_ARGUMENT = 2, DRIVER_NOT_LOADED = 9 };

typedef struct {
  unsigned long long values[MAX_VALUES];
  int count, next;
} Script;

static struct {
  int gpus, init_fails, energy_unsupported;
  Script power[MAX_GPUS], energy[MAX_GPUS];
  int power_lists, energy_lists;
  int devices[MAX_GPUS]; /* handles point here */
} fake;

static int parse_lists(const char* text, Script* scripts) {
  int lists = 0;
  Script* s = &scripts[0];
  s->count = 0;
  for (const char* p = text; *p && *p != ';';) {
    if (*p == '|') {
      if (lists + 1 >= MAX_GPUS) break;
      s = &scripts[++lists];
      s->count = 0;
      ++p;
      continue;
    }
    if (*p == ',') {
      ++p;
      continue;
    }
    char* end = NULL;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p) break;
    if (s->count < MAX_VALUES) s->values[s->count++] = v;
    p = end;
  }
  return lists + 1;
}

static void load_script(void) {
  memset(&fake, 0, sizeof fake);
  fake.gpus = 1;
  const char* env = getenv("SOMA_FAKE_NVML");
  if (!env) env = "";
  const char* p;
  if ((p = strstr(env, "gpus="))) fake.gpus = atoi(p + 5);
  if (fake.gpus > MAX_GPUS) fake.gpus = MAX_GPUS;
  if (strstr(env, "init=fail")) fake.init_fails = 1;
  if (strstr(env, "energy=unsupported")) fake.energy_unsupported = 1;
  if ((p = strstr(env, "power_mw="))) fake.power_lists = parse_lists(p + 9, fake.power);
  if ((p = strstr(env, "energy_mj="))) fake.energy_lists = parse_lists(p + 10, fake.energy);
}

static int device_index(void* device) {
  for (int i = 0; i < fake.gpus; ++i)
    if (device == &fake.devices[i]) return i;
  return -1;
}

static int next_value(Script* scripts, int lists, int gpu, unsigned long long* out) {
  if (lists == 0) return NOT_SUPPORTED;
  Script* s = &scripts[gpu < lists ? gpu : lists - 1];
  if (s->count == 0) return NOT_SUPPORTED;
  *out = s->values[s->next < s->count ? s->next : s->count - 1];
  if (s->next < s->count) ++s->next;
  return SUCCESS;
}

int nvmlInit_v2(void) {
  load_script();
  return fake.init_fails ? DRIVER_NOT_LOADED : SUCCESS;
}

int nvmlShutdown(void) { return SUCCESS; }

const char* nvmlErrorString(int code) {
  switch (code) {
    case SUCCESS:
      return "Success";
    case NOT_SUPPORTED:
      return "Not Supported";
    case DRIVER_NOT_LOADED:
      return "Driver Not Loaded";
    default:
      return "Unknown Error";
  }
}

int nvmlDeviceGetCount_v2(unsigned int* count) {
  *count = (unsigned)fake.gpus;
  return SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (index >= (unsigned)fake.gpus) return INVALID_ARGUMENT;
  *device = &fake.devices[index];
  return SUCCESS;
}

int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
  int i = device_index(device);
  if (i < 0 || length < 12) return INVALID_ARGUMENT;
  strcpy(name, "Fake GPU ");
  name[9] = (char)('A' + i);
  name[10] = '\0';
  return SUCCESS;
}

int nvmlDeviceGetPowerUsage(void* device, unsigned int* milliwatts) {
  int i = device_index(device);
  unsigned long long v = 0;
  if (i < 0) return INVALID_ARGUMENT;
  int rc = next_value(fake.power, fake.power_lists, i, &v);
  *milliwatts = (unsigned)v;
  return rc;
}

int nvmlDeviceGetTotalEnergyConsumption(void* device, unsigned long long* millijoules) {
  int i = device_index(device);
  if (i < 0) return INVALID_ARGUMENT;
  if (fake.energy_unsupported) return NOT_SUPPORTED;
  return next_value(fake.energy, fake.energy_lists, i, millijoules);
}
