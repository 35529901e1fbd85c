/* models/models.c: the registry of models built into capsim (the helpers are model.c's). */
#include "model.h"

extern const capsim_model capsim_queue_model;
extern const capsim_model capsim_elective_model;
extern const capsim_model capsim_loss_model;
extern const capsim_model capsim_virtual_ward_model;
extern const capsim_model capsim_ucch_model;
extern const capsim_model capsim_beds_model;

/* The order is the order models start and snapshot in, at equal times (docs/models.md). */
const capsim_model *const capsim_models[] = {&capsim_queue_model,        &capsim_elective_model,
                                             &capsim_loss_model,         &capsim_virtual_ward_model,
                                             &capsim_ucch_model,         &capsim_beds_model,
                                             NULL};
