/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vk_convert.h"

#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "color.h"
#include "log.h"
#include "pf/common/frame.h"
#include "pf/core/error.h"
#include "rgb_to_yuv_spv.h"

#define TOPIC "encode.vulkan"

struct pfi_vk {
    VkInstance instance;
    VkPhysicalDevice phys;
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;
    VkPhysicalDeviceMemoryProperties mem;
    VkShaderModule shader;
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;
    char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
    pf_log_hook log;
};

struct push {
    uint32_t width, height, src_stride, y_stride, c_stride, flags, depth, pad;
    float coef[4];
};

struct vk_buffer {
    VkBuffer buf;
    VkDeviceMemory mem;
    VkDeviceSize size;
    uint8_t *map;
};

struct pfi_vk_conv {
    struct pfi_vk *vk;
    struct pfi_vk_conv_params p;
    struct vk_buffer src, plane[3];
    uint32_t src_stride, stride[3];
    VkDescriptorPool pool;
    VkDescriptorSet set;
    VkCommandPool cmd_pool;
    VkCommandBuffer cmd;
    VkFence fence;
};

enum { F_RGBX = 1, F_PLANAR = 2, F_WIDE = 4, F_MSB = 8, F_FULL = 16, F_X2R10 = 32 };

static bool suitable(VkPhysicalDevice d, bool allow_cpu, uint32_t *ret_family)
{
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(d, &props);
    if (props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU && !allow_cpu)
        return false;
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(d, &n, NULL);
    VkQueueFamilyProperties fam[16];
    if (n > 16)
        n = 16;
    vkGetPhysicalDeviceQueueFamilyProperties(d, &n, fam);
    for (uint32_t i = 0; i < n; i++) {
        if (fam[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
            *ret_family = i;
            return true;
        }
    }
    return false;
}

static int make_pipeline(struct pfi_vk *vk)
{
    VkShaderModuleCreateInfo smci = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
        .codeSize = sizeof(pfi_rgb_to_yuv_spv),
        .pCode = pfi_rgb_to_yuv_spv,
    };
    if (vkCreateShaderModule(vk->device, &smci, NULL, &vk->shader) != VK_SUCCESS)
        return PF_ERR_IO;
    VkDescriptorSetLayoutBinding b[4];
    for (uint32_t i = 0; i < 4; i++) {
        b[i] = (VkDescriptorSetLayoutBinding){
            .binding = i,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .descriptorCount = 1,
            .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
        };
    }
    VkDescriptorSetLayoutCreateInfo dslci = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = 4,
        .pBindings = b,
    };
    if (vkCreateDescriptorSetLayout(vk->device, &dslci, NULL, &vk->set_layout) != VK_SUCCESS)
        return PF_ERR_IO;
    VkPushConstantRange range = {
        .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
        .size = sizeof(struct push),
    };
    VkPipelineLayoutCreateInfo plci = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &vk->set_layout,
        .pushConstantRangeCount = 1,
        .pPushConstantRanges = &range,
    };
    if (vkCreatePipelineLayout(vk->device, &plci, NULL, &vk->layout) != VK_SUCCESS)
        return PF_ERR_IO;
    VkComputePipelineCreateInfo cpci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
            .stage = VK_SHADER_STAGE_COMPUTE_BIT,
            .module = vk->shader,
            .pName = "main",
        },
        .layout = vk->layout,
    };
    if (vkCreateComputePipelines(vk->device, VK_NULL_HANDLE, 1, &cpci, NULL, &vk->pipeline) !=
        VK_SUCCESS)
        return PF_ERR_IO;
    return 0;
}

int pfi_vk_create(int index, bool allow_cpu, const pf_log_hook *log, struct pfi_vk **ret_vk)
{
    struct pfi_vk *vk = calloc(1, sizeof(*vk));
    if (!vk)
        return PF_ERR_NOMEM;
    vk->log = *log;
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "punktfunk",
        .apiVersion = VK_API_VERSION_1_1,
    };
    VkInstanceCreateInfo ici = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pApplicationInfo = &app,
    };
    if (vkCreateInstance(&ici, NULL, &vk->instance) != VK_SUCCESS) {
        pfi_enc_debug(log, TOPIC, "no Vulkan loader or driver (Debian: libvulkan1 plus "
                      "mesa-vulkan-drivers or the GPU vendor's ICD)");
        free(vk);
        return PF_ERR_NOT_FOUND;
    }
    uint32_t n = 0;
    VkPhysicalDevice devs[16];
    vkEnumeratePhysicalDevices(vk->instance, &n, NULL);
    if (n > 16)
        n = 16;
    vkEnumeratePhysicalDevices(vk->instance, &n, devs);
    for (uint32_t i = 0; i < n && !vk->phys; i++) {
        if (index >= 0 && (uint32_t)index != i)
            continue;
        uint32_t fam;
        if (suitable(devs[i], allow_cpu || index >= 0, &fam)) {
            vk->phys = devs[i];
            vk->queue_family = fam;
        }
    }
    if (!vk->phys) {
        pfi_enc_debug(log, TOPIC, "no suitable Vulkan device among %u%s", n,
                      allow_cpu ? "" : " (CPU implementations skipped)");
        pfi_vk_destroy(vk);
        return PF_ERR_NOT_FOUND;
    }
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(vk->phys, &props);
    memcpy(vk->name, props.deviceName, sizeof(vk->name));
    vkGetPhysicalDeviceMemoryProperties(vk->phys, &vk->mem);
    float prio = 1.0f;
    VkDeviceQueueCreateInfo qci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = vk->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &prio,
    };
    VkDeviceCreateInfo dci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &qci,
    };
    if (vkCreateDevice(vk->phys, &dci, NULL, &vk->device) != VK_SUCCESS) {
        pfi_vk_destroy(vk);
        return PF_ERR_IO;
    }
    vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);
    int r = make_pipeline(vk);
    if (r < 0) {
        pfi_vk_destroy(vk);
        return r;
    }
    pfi_enc_debug(log, TOPIC, "Vulkan device %s", vk->name);
    *ret_vk = vk;
    return 0;
}

void pfi_vk_destroy(struct pfi_vk *vk)
{
    if (!vk)
        return;
    if (vk->device) {
        vkDestroyPipeline(vk->device, vk->pipeline, NULL);
        vkDestroyPipelineLayout(vk->device, vk->layout, NULL);
        vkDestroyDescriptorSetLayout(vk->device, vk->set_layout, NULL);
        vkDestroyShaderModule(vk->device, vk->shader, NULL);
        vkDestroyDevice(vk->device, NULL);
    }
    if (vk->instance)
        vkDestroyInstance(vk->instance, NULL);
    free(vk);
}

const char *pfi_vk_device_name(const struct pfi_vk *vk)
{
    return vk->name;
}

static int buffer_create(struct pfi_vk *vk, VkDeviceSize size, struct vk_buffer *b)
{
    b->size = size;
    VkBufferCreateInfo bci = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    if (vkCreateBuffer(vk->device, &bci, NULL, &b->buf) != VK_SUCCESS)
        return PF_ERR_IO;
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(vk->device, b->buf, &req);
    /* Host-visible and coherent: the CPU writes the input and reads the result, so no
     * flush/invalidate calls and no staging copies are needed. */
    VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    uint32_t type = UINT32_MAX;
    for (uint32_t i = 0; i < vk->mem.memoryTypeCount && type == UINT32_MAX; i++)
        if ((req.memoryTypeBits & (1u << i)) &&
            (vk->mem.memoryTypes[i].propertyFlags & want) == want)
            type = i;
    if (type == UINT32_MAX)
        return PF_ERR_UNSUPPORTED;
    VkMemoryAllocateInfo mai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = type,
    };
    if (vkAllocateMemory(vk->device, &mai, NULL, &b->mem) != VK_SUCCESS)
        return PF_ERR_NOMEM;
    if (vkBindBufferMemory(vk->device, b->buf, b->mem, 0) != VK_SUCCESS ||
        vkMapMemory(vk->device, b->mem, 0, VK_WHOLE_SIZE, 0, (void **)&b->map) != VK_SUCCESS)
        return PF_ERR_IO;
    return 0;
}

static void buffer_destroy(struct pfi_vk *vk, struct vk_buffer *b)
{
    if (b->mem)
        vkFreeMemory(vk->device, b->mem, NULL);
    if (b->buf)
        vkDestroyBuffer(vk->device, b->buf, NULL);
    memset(b, 0, sizeof(*b));
}

static int write_descriptors(struct pfi_vk_conv *c)
{
    struct pfi_vk *vk = c->vk;
    VkDescriptorPoolSize ps = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = 4};
    VkDescriptorPoolCreateInfo dpci = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .maxSets = 1,
        .poolSizeCount = 1,
        .pPoolSizes = &ps,
    };
    if (vkCreateDescriptorPool(vk->device, &dpci, NULL, &c->pool) != VK_SUCCESS)
        return PF_ERR_IO;
    VkDescriptorSetAllocateInfo dsai = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
        .descriptorPool = c->pool,
        .descriptorSetCount = 1,
        .pSetLayouts = &vk->set_layout,
    };
    if (vkAllocateDescriptorSets(vk->device, &dsai, &c->set) != VK_SUCCESS)
        return PF_ERR_IO;
    VkDescriptorBufferInfo info[4];
    VkWriteDescriptorSet w[4];
    const struct vk_buffer *bufs[4] = {&c->src, &c->plane[0], &c->plane[1], &c->plane[2]};
    for (uint32_t i = 0; i < 4; i++) {
        /* NV12/P010 have no third plane; bind the chroma buffer twice (never written). */
        const struct vk_buffer *b = bufs[i]->buf ? bufs[i] : bufs[2];
        info[i] = (VkDescriptorBufferInfo){.buffer = b->buf, .range = VK_WHOLE_SIZE};
        w[i] = (VkWriteDescriptorSet){
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstSet = c->set,
            .dstBinding = i,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .pBufferInfo = &info[i],
        };
    }
    vkUpdateDescriptorSets(vk->device, 4, w, 0, NULL);
    return 0;
}

static struct push push_constants(const struct pfi_vk_conv *c)
{
    const struct pfi_vk_conv_params *p = &c->p;
    double kr, kb;
    pfi_color_luma_weights(p->color_space, &kr, &kb);
    bool ten = p->out == PFI_VK_OUT_P010 || p->out == PFI_VK_OUT_I420_10;
    struct push k = {
        .width = p->width,
        .height = p->height,
        .src_stride = c->src_stride / 4,
        .y_stride = c->stride[0] / 4,
        .c_stride = c->stride[1] / 4,
        .depth = ten ? 10 : 8,
        .coef = {(float)kr, (float)kb, 0, 0},
    };
    if (p->in_format == PF_FRAME_FORMAT_RGBX || p->in_format == PF_FRAME_FORMAT_RGBA)
        k.flags |= F_RGBX;
    if (p->in_format == PF_FRAME_FORMAT_XR30)
        k.flags |= F_X2R10;
    if (p->out == PFI_VK_OUT_I420 || p->out == PFI_VK_OUT_I420_10)
        k.flags |= F_PLANAR;
    if (ten)
        k.flags |= F_WIDE;
    if (p->out == PFI_VK_OUT_P010)
        k.flags |= F_MSB;
    if (p->color_range == PF_COLOR_RANGE_FULL)
        k.flags |= F_FULL;
    return k;
}

static int record(struct pfi_vk_conv *c)
{
    struct pfi_vk *vk = c->vk;
    VkCommandPoolCreateInfo cpci = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .queueFamilyIndex = vk->queue_family,
    };
    VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    if (vkCreateCommandPool(vk->device, &cpci, NULL, &c->cmd_pool) != VK_SUCCESS ||
        vkCreateFence(vk->device, &fci, NULL, &c->fence) != VK_SUCCESS)
        return PF_ERR_IO;
    VkCommandBufferAllocateInfo cbai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = c->cmd_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    if (vkAllocateCommandBuffers(vk->device, &cbai, &c->cmd) != VK_SUCCESS)
        return PF_ERR_IO;
    /* Recorded once and resubmitted every frame: the dispatch never changes. */
    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    if (vkBeginCommandBuffer(c->cmd, &begin) != VK_SUCCESS)
        return PF_ERR_IO;
    struct push k = push_constants(c);
    vkCmdBindPipeline(c->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, vk->pipeline);
    vkCmdBindDescriptorSets(c->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, vk->layout, 0, 1, &c->set,
                            0, NULL);
    vkCmdPushConstants(c->cmd, vk->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(k), &k);
    uint32_t blocks_x = c->p.width / 8, blocks_y = c->p.height / 2;
    vkCmdDispatch(c->cmd, (blocks_x + 7) / 8, (blocks_y + 7) / 8, 1);
    /* Make the shader's writes visible to the host reads after the fence. */
    VkMemoryBarrier mb = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
    };
    vkCmdPipelineBarrier(c->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
    return vkEndCommandBuffer(c->cmd) == VK_SUCCESS ? 0 : PF_ERR_IO;
}

int pfi_vk_conv_create(struct pfi_vk *vk, const struct pfi_vk_conv_params *p,
                       struct pfi_vk_conv **ret_conv)
{
    if (p->width % 8 || p->height % 2 || !p->width || !p->height || p->out > PFI_VK_OUT_I420_10)
        return PF_ERR_UNSUPPORTED;
    if (p->in_format != PF_FRAME_FORMAT_BGRX && p->in_format != PF_FRAME_FORMAT_RGBX &&
        p->in_format != PF_FRAME_FORMAT_BGRA && p->in_format != PF_FRAME_FORMAT_RGBA &&
        p->in_format != PF_FRAME_FORMAT_XR30)
        return PF_ERR_UNSUPPORTED;
    struct pfi_vk_conv *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    c->vk = vk;
    c->p = *p;
    bool wide = p->out == PFI_VK_OUT_P010 || p->out == PFI_VK_OUT_I420_10;
    bool planar = p->out == PFI_VK_OUT_I420 || p->out == PFI_VK_OUT_I420_10;
    uint32_t sample = wide ? 2 : 1;
    c->src_stride = p->width * 4;
    c->stride[0] = p->width * sample;
    c->stride[1] = planar ? p->width / 2 * sample : p->width * sample;
    c->stride[2] = planar ? c->stride[1] : 0;
    int r = buffer_create(vk, (VkDeviceSize)c->src_stride * p->height, &c->src);
    if (r == 0)
        r = buffer_create(vk, (VkDeviceSize)c->stride[0] * p->height, &c->plane[0]);
    if (r == 0)
        r = buffer_create(vk, (VkDeviceSize)c->stride[1] * p->height / 2, &c->plane[1]);
    if (r == 0 && planar)
        r = buffer_create(vk, (VkDeviceSize)c->stride[2] * p->height / 2, &c->plane[2]);
    if (r == 0)
        r = write_descriptors(c);
    if (r == 0)
        r = record(c);
    if (r < 0) {
        pfi_vk_conv_destroy(c);
        return r;
    }
    *ret_conv = c;
    return 0;
}

void pfi_vk_conv_destroy(struct pfi_vk_conv *conv)
{
    if (!conv)
        return;
    VkDevice d = conv->vk->device;
    vkDeviceWaitIdle(d);
    if (conv->fence)
        vkDestroyFence(d, conv->fence, NULL);
    if (conv->cmd_pool)
        vkDestroyCommandPool(d, conv->cmd_pool, NULL);
    if (conv->pool)
        vkDestroyDescriptorPool(d, conv->pool, NULL);
    buffer_destroy(conv->vk, &conv->src);
    for (int i = 0; i < 3; i++)
        buffer_destroy(conv->vk, &conv->plane[i]);
    free(conv);
}

int pfi_vk_conv_run(struct pfi_vk_conv *conv, const uint8_t *src, uint32_t src_stride,
                    const uint8_t *plane[3], int stride[3])
{
    struct pfi_vk *vk = conv->vk;
    uint32_t row = conv->p.width * 4;
    for (uint32_t y = 0; y < conv->p.height; y++)
        memcpy(conv->src.map + (size_t)y * conv->src_stride, src + (size_t)y * src_stride, row);
    VkSubmitInfo si = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &conv->cmd,
    };
    if (vkQueueSubmit(vk->queue, 1, &si, conv->fence) != VK_SUCCESS)
        return PF_ERR_IO;
    /* A second is far beyond any frame; a device that takes longer is lost. */
    VkResult vr = vkWaitForFences(vk->device, 1, &conv->fence, VK_TRUE, 1000000000ull);
    if (vr != VK_SUCCESS)
        return vr == VK_TIMEOUT ? PF_ERR_TIMEOUT : PF_ERR_IO;
    vkResetFences(vk->device, 1, &conv->fence);
    for (int i = 0; i < 3; i++) {
        plane[i] = conv->plane[i].map;
        stride[i] = (int)conv->stride[i];
    }
    return 0;
}
