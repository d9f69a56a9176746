"""Pages of the questions module: the member's side, the jurists' side and the themes."""

from django.urls import path

from .views import member, staff, themes

urlpatterns = [
    # Members (and staff reading a question)
    path("", member.question_history, name="list"),
    path("nouvelle/", member.question_ask, name="ask"),
    path("sous-themes/", member.sub_theme_options, name="sub_themes"),
    path("<int:question_id>/", member.question_detail, name="detail"),
    path("<int:question_id>/completer/", member.question_reply, name="reply"),
    path("<int:question_id>/pdf/", member.question_pdf, name="pdf"),
    path("pieces-jointes/<int:attachment_id>/", member.attachment_download, name="attachment"),
    # Jurists
    path("a-traiter/", staff.question_queue, name="queue"),
    path("<int:question_id>/attribuer/", staff.question_assign, name="assign"),
    path("<int:question_id>/repondre/", staff.question_answer, name="answer"),
    path("<int:question_id>/precisions/", staff.question_info_request, name="info_request"),
    path("<int:question_id>/cloturer/", staff.question_close, name="close"),
    path("<int:question_id>/rouvrir/", staff.question_reopen, name="reopen"),
    path("rappels/", staff.callback_list_page, name="callbacks"),
    path("<int:question_id>/rappel-effectue/", staff.callback_done, name="callback_done"),
    path("statistiques/", staff.statistics_page, name="statistics"),
    # Themes (organisation administrators)
    path("themes/", themes.theme_list, name="themes"),
    path("themes/<int:theme_id>/", themes.theme_edit, name="theme_edit"),
    path("themes/<int:theme_id>/deplacer/", themes.theme_move, name="theme_move"),
    path("themes/<int:theme_id>/sous-themes/", themes.sub_theme_create, name="sub_theme_create"),
    path("sous-themes/<int:sub_theme_id>/", themes.sub_theme_edit, name="sub_theme_edit"),
    path("sous-themes/<int:sub_theme_id>/deplacer/", themes.sub_theme_move, name="sub_theme_move"),
]
